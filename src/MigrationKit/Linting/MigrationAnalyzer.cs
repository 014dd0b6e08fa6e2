using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// Reads the up script of one migration statement by statement: keeps the <see cref="SchemaModel"/> up to date and
/// reports what the rules find, before suppressions and severities. Never throws: what it cannot read it skips.
/// </summary>
/// <remarks>
/// This file holds the state and the dispatch on a statement's first word; the statements are read in
/// <c>MigrationAnalyzer.Create.cs</c>, <c>.Drop.cs</c>, <c>.Alter.cs</c> and <c>.Data.cs</c>.
/// </remarks>
internal sealed partial class MigrationAnalyzer
{
    private static readonly HashSet<string> VolatileFunctions = new(StringComparer.Ordinal)
    {
        "random", "random_normal", "gen_random_uuid", "gen_random_bytes", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
        "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval", "setval", "txid_current", "pg_current_xact_id", "setseed",
    };

    private static readonly string[] ColumnConstraintWords =
    [
        "CONSTRAINT", "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "GENERATED", "COLLATE",
        "COMPRESSION", "STORAGE", "DEFERRABLE", "INITIALLY",
    ];

    private readonly SchemaModel _model;
    private readonly Migration _migration;
    private readonly SqlScript _script;
    private readonly int _serverVersion;
    private readonly bool _runView;
    private readonly bool _linted;
    private readonly bool _transactional;
    private readonly List<RawFinding> _findings;
    private readonly HashSet<string> _droppedIfExists = new(StringComparer.Ordinal);
    private int _segment;
    private bool _inBlock;
    private int _unnamed;

    public MigrationAnalyzer(SchemaModel model, Migration migration, int serverVersion, bool runView, bool linted, List<RawFinding> findings)
    {
        _model = model;
        _migration = migration;
        _script = migration.Up.Parsed;
        _serverVersion = serverVersion;
        _runView = runView;
        _linted = linted;
        _transactional = !_script.RunsOutsideTransaction;
        _findings = findings;
    }

    private long Version => _migration.Version;

    public void Analyze(LintStatement statement)
    {
        TrackSegment(statement.Statement);
        if (statement.Count == 0 || !statement.IsWord(0))
        {
            return;
        }

        if (!_transactional)
        {
            CheckIdempotence(statement);
        }

        if (statement.Is(0, "CREATE"))
        {
            Create(statement);
        }
        else if (statement.Is(0, "DROP"))
        {
            Drop(statement);
        }
        else if (statement.Is(0, "ALTER"))
        {
            Alter(statement);
        }
        else if (statement.Is(0, "REINDEX"))
        {
            Reindex(statement);
        }
        else if (statement.Is(0, "UPDATE") || statement.Is(0, "DELETE") || statement.Is(0, "WITH"))
        {
            DataChange(statement);
        }
    }

    /// <summary>
    /// Numbers the transactions of the script: one for a script that runs in a transaction; outside one, a new
    /// one per statement, except inside an explicit <c>BEGIN</c> … <c>COMMIT</c>.
    /// </summary>
    private void TrackSegment(SqlStatement statement)
    {
        if (_transactional)
        {
            return;
        }

        switch (statement.Kind)
        {
            case SqlStatementKind.Begin:
                _inBlock = true;
                _segment++;
                break;
            case SqlStatementKind.Commit or SqlStatementKind.Rollback:
                _inBlock = false;
                _segment++;
                break;
            default:
                if (!_inBlock)
                {
                    _segment++;
                }

                break;
        }
    }

    private bool IsExisting(TableState? table) => table is null || !table.IsNewFor(Version, _runView);

    private TableState Touch(SqlName name) => _model.Find(name) ?? _model.Create(name, long.MinValue, inRun: false);

    private void Report(string rule, LintStatement statement, int token, string? lockMode, string message, SqlName? table) =>
        _findings.Add(new RawFinding(
            rule,
            statement.Index,
            statement.OffsetOf(Math.Clamp(token, 0, Math.Max(statement.Count - 1, 0))),
            lockMode,
            lockMode is null ? BlockedOperations.None : LockModes.Blocks(lockMode),
            message,
            table));

    // Helpers

    /// <summary>The end of a column's type: the first column constraint keyword at <paramref name="level"/>.</summary>
    private static int FindColumnConstraint(LintStatement s, int from, int end, int level)
    {
        for (int i = from; i < end && i < s.Count; i++)
        {
            if (s.Level(i) == level && s.IsWord(i))
            {
                foreach (string word in ColumnConstraintWords)
                {
                    if (s.Is(i, word))
                    {
                        return i;
                    }
                }
            }
        }

        return Math.Min(end, s.Count);
    }

    /// <summary>The column of <c>CHECK (col IS NOT NULL)</c> (extra parentheses allowed) whose <c>(</c> is at <paramref name="open"/>.</summary>
    private static string? IsNotNullCheck(LintStatement s, int open, int end)
    {
        if (!s.IsOpen(open))
        {
            return null;
        }

        int start = open + 1;
        int stop = s.SkipParentheses(open) - 1;
        if (stop - start > 16)
        {
            // "col IS NOT NULL" in a few parentheses at most; peeling thousands would cost their square.
            return null;
        }

        while (s.IsOpen(start) && s.SkipParentheses(start) == stop)
        {
            start++;
            stop--;
        }

        if (stop > end || stop - start != 4)
        {
            return null;
        }

        int i = start;
        string? column = s.ReadIdentifier(ref i);
        return column is not null && i == start + 1 && s.AreKeywords(i, "IS", "NOT", "NULL") ? column : null;
    }

    private string UnnamedKey() => "\0unnamed " + _unnamed++.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
