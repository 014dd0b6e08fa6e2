using System.Globalization;
using System.Text;
using MigrationKit.IntegrationTests.Support;
using Npgsql;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>How a workload migration runs.</summary>
public enum WorkloadKind
{
    /// <summary>In the runner's transaction, with its history row.</summary>
    Transactional,

    /// <summary>A golang-migrate style file wrapped in BEGIN; … COMMIT; (runs as <see cref="Transactional"/>).</summary>
    Wrapped,

    /// <summary>Large enough to be sent in several batches inside one transaction.</summary>
    MultiBatch,

    /// <summary><c>-- migrationkit:no-transaction</c>: statement by statement under the dirty flag, with a CREATE INDEX CONCURRENTLY.</summary>
    NonTransactional,
}

/// <summary>
/// A run of migrations, transactional and non-transactional mixed, each with an effect that can be checked against
/// the history: migration V creates table <c>m_V</c>, fills it with a known number of rows, and records
/// <c>effects(V)</c> last. A migration that ran twice leaves two <c>effects</c> rows (no key stops it).
/// </summary>
public sealed class FaultWorkload : IDisposable
{
    private const int RowsPerTable = 200;
    private const int MultiBatchStatements = 1500;

    private FaultWorkload(MigrationFolder folder, IReadOnlyList<WorkloadKind> kinds)
    {
        Folder = folder;
        Kinds = kinds;
    }

    public MigrationFolder Folder { get; }

    /// <summary>The kind of each migration; version V is at index V - 1.</summary>
    public IReadOnlyList<WorkloadKind> Kinds { get; }

    public int Count => Kinds.Count;

    public string Path => Folder.Path;

    /// <summary>
    /// The advisory lock key a migration waits for when the workload is made with <c>holdAt</c>: a test that holds it
    /// keeps that migration's transaction open as long as it likes; where nobody holds it, the migration runs at once.
    /// </summary>
    public const long HoldKey = 4711;

    /// <summary>
    /// The standard mix: every fourth migration non-transactional, version 6 wrapped in BEGIN/COMMIT, version 15 sent in
    /// two batches; each transactional migration sleeps <paramref name="sleepMs"/> between its statements so that a fault
    /// can land inside it.
    /// </summary>
    /// <param name="count">The number of migrations.</param>
    /// <param name="sleepMs">How long each transactional migration sleeps between its statements.</param>
    /// <param name="holdAt">
    /// A transactional version that also waits, inside its transaction, for the advisory lock <see cref="HoldKey"/>.
    /// </param>
    public static FaultWorkload Mixed(int count = 20, int sleepMs = 25, int? holdAt = null)
    {
        var kinds = new List<WorkloadKind>(count);
        for (int v = 1; v <= count; v++)
        {
            kinds.Add(v % 4 == 0 ? WorkloadKind.NonTransactional
                : v == 6 ? WorkloadKind.Wrapped
                : v == 15 ? WorkloadKind.MultiBatch
                : WorkloadKind.Transactional);
        }

        return Create(kinds, sleepMs, holdAt);
    }

    public static FaultWorkload Create(IReadOnlyList<WorkloadKind> kinds, int sleepMs, int? holdAt = null)
    {
        if (holdAt is { } held && kinds[held - 1] != WorkloadKind.Transactional)
        {
            throw new ArgumentException($"Version {held} is {kinds[held - 1]}; only a plain transactional migration waits for the hold.", nameof(holdAt));
        }

        var folder = new MigrationFolder();
        for (int i = 0; i < kinds.Count; i++)
        {
            int v = i + 1;
            string script = Script(kinds[i], v, sleepMs);
            if (v == holdAt)
            {
                script = script.Replace("SELECT pg_sleep(", $"SELECT pg_advisory_xact_lock({HoldKey});\nSELECT pg_sleep(", StringComparison.Ordinal);
            }

            folder.Up(v, Description(kinds[i], v), script, digits: 2);
        }

        return new FaultWorkload(folder, kinds);
    }

    public static string FileName(WorkloadKind kind, long version) =>
        version.ToString("00", CultureInfo.InvariantCulture) + "_" + Description(kind, (int)version) + ".up.sql";

    public string FileName(long version) => FileName(Kinds[(int)version - 1], version);

    public int ExpectedRows(long version) => Kinds[(int)version - 1] == WorkloadKind.MultiBatch ? MultiBatchStatements : RowsPerTable;

    /// <summary>Reads the history and every migration's effect.</summary>
    public async Task<WorkloadState> InspectAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var history = new Dictionary<long, bool>();
        if (await ExistsAsync(connection, "public.schema_migrations"))
        {
            await using var command = new NpgsqlCommand("SELECT version, dirty FROM public.schema_migrations ORDER BY version", connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                history[reader.GetInt64(0)] = reader.GetBoolean(1);
            }
        }

        bool hasEffects = await ExistsAsync(connection, "public.effects");
        var effects = new List<MigrationEffect>(Count);
        string effectCount = hasEffects ? "(SELECT count(*) FROM public.effects e WHERE e.version = g.v)" : "0::bigint";
        string sql = $"""
            SELECT g.v,
                   c.oid IS NOT NULL,
                   CASE WHEN c.oid IS NULL THEN 0
                        ELSE (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text::bigint END,
                   (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid),
                   coalesce((SELECT bool_and(i.indisvalid) FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid), true),
                   {effectCount}
            FROM generate_series(1, $1) AS g(v)
            LEFT JOIN pg_catalog.pg_class c ON c.relname = 'm_' || g.v AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
            ORDER BY g.v
            """;
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = Count });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                effects.Add(new MigrationEffect(reader.GetInt32(0), reader.GetBoolean(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetBoolean(4), reader.GetInt64(5)));
            }
        }

        return new WorkloadState(history, effects);
    }

    /// <summary>
    /// The guarantees after any fault: a transactional migration is recorded (clean) exactly when its whole effect is
    /// there, and is never dirty; a non-transactional one has no effect without a row, its whole effect with a clean
    /// row, and any prefix of its statements with a dirty row; nothing ran twice; only the newest row can be dirty.
    /// </summary>
    public void AssertConsistent(WorkloadState state, string context)
    {
        var problems = new List<string>();
        foreach (MigrationEffect effect in state.Effects)
        {
            long v = effect.Version;
            WorkloadKind kind = Kinds[(int)v - 1];
            bool recorded = state.History.TryGetValue(v, out bool dirty);
            bool complete = IsComplete(effect);
            bool none = !effect.HasTable && effect.EffectRows == 0;
            if (effect.EffectRows > 1)
            {
                problems.Add($"version {v} ran {effect.EffectRows} times");
            }

            if (kind != WorkloadKind.NonTransactional)
            {
                if (recorded && dirty)
                {
                    problems.Add($"transactional version {v} is dirty");
                }
                else if (recorded && !complete)
                {
                    problems.Add($"transactional version {v} is recorded but its effect is partial ({effect})");
                }
                else if (!recorded && !none)
                {
                    problems.Add($"transactional version {v} has an effect without a history row ({effect})");
                }
            }
            else if (!recorded && !none)
            {
                problems.Add($"non-transactional version {v} has an effect without a history row ({effect})");
            }
            else if (recorded && !dirty && !complete)
            {
                problems.Add($"non-transactional version {v} is recorded clean but its effect is partial ({effect})");
            }
            else if (recorded && dirty && !IsPrefix(effect))
            {
                problems.Add($"non-transactional version {v} is dirty with an effect that is no prefix of its script ({effect})");
            }
        }

        long[] versions = [.. state.History.Keys.Order()];
        if (!versions.SequenceEqual(Enumerable.Range(1, versions.Length).Select(i => (long)i)))
        {
            problems.Add($"the history is not 1..n: {string.Join(", ", versions)}");
        }

        if (state.History.Any(h => h.Value && h.Key != versions[^1]))
        {
            problems.Add("a dirty row is not the newest");
        }

        problems.Should().BeEmpty($"{context}; state: {state}");
    }

    /// <summary>Every migration recorded clean, each effect complete and there exactly once.</summary>
    public void AssertComplete(WorkloadState state, string context)
    {
        AssertConsistent(state, context);
        state.History.Should().HaveCount(Count, context).And.OnlyContain(h => !h.Value, context);
        state.Effects.Should().OnlyContain(e => IsComplete(e), context);
    }

    /// <summary>Whether the effect of version <paramref name="version"/> is all there.</summary>
    public bool IsComplete(WorkloadState state, long version) => IsComplete(state.Effects[(int)version - 1]);

    /// <summary>
    /// What an operator does with a database left dirty by an interrupted non-transactional migration: if all of it
    /// ran, force its version; otherwise undo what ran and force the version before it.
    /// </summary>
    public async Task<long> RepairDirtyAsync(string connectionString, WorkloadState state, long version, Func<long, Task> force)
    {
        if (IsComplete(state, version))
        {
            await force(version);
            return version;
        }

        await Db.ExecuteAsync(connectionString, $"DROP TABLE IF EXISTS m_{version}; DO $$ BEGIN IF to_regclass('public.effects') IS NOT NULL THEN DELETE FROM effects WHERE version = {version}; END IF; END $$;");
        await force(version - 1);
        return version - 1;
    }

    public void Dispose() => Folder.Dispose();

    private bool IsComplete(MigrationEffect effect)
    {
        long v = effect.Version;
        return effect.HasTable && effect.Rows == ExpectedRows(v) && effect.Indexes == 1 && effect.IndexesValid && effect.EffectRows == 1;
    }

    /// <summary>The statements of a non-transactional migration, in order: table, rows, index, effect row.</summary>
    private bool IsPrefix(MigrationEffect effect)
    {
        bool[] steps = [effect.HasTable, effect.Rows == ExpectedRows(effect.Version), effect.Indexes == 1, effect.EffectRows == 1];
        int done = Array.IndexOf(steps, false);
        return done < 0 || steps.Skip(done).All(s => !s);
    }

    private static string Description(WorkloadKind kind, int version) => kind switch
    {
        WorkloadKind.NonTransactional => $"index_m{version}_concurrently",
        WorkloadKind.Wrapped => $"wrapped_m{version}",
        WorkloadKind.MultiBatch => $"many_statements_m{version}",
        _ => $"create_m{version}",
    };

    private static string Script(WorkloadKind kind, int v, int sleepMs)
    {
        string sleep = (sleepMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        string effects = v == 1 ? "CREATE TABLE effects (version int NOT NULL, kind text NOT NULL);\n" : string.Empty;
        switch (kind)
        {
            case WorkloadKind.NonTransactional:
                return $"""
                    -- migrationkit:no-transaction
                    CREATE TABLE m_{v} (id int NOT NULL, note text);
                    INSERT INTO m_{v} SELECT g, 'row ' || g FROM generate_series(1, {RowsPerTable}) g;
                    SELECT pg_sleep({sleep});
                    CREATE INDEX CONCURRENTLY m_{v}_id ON m_{v} (id);
                    INSERT INTO effects VALUES ({v}, 'non-transactional');

                    """;
            case WorkloadKind.MultiBatch:
                var builder = new StringBuilder($"CREATE TABLE m_{v} (id int PRIMARY KEY, note text);\n");
                for (int i = 1; i <= MultiBatchStatements; i++)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"INSERT INTO m_{v} VALUES ({i}, 'statement {i}; of many');\n");
                    // Past the first batch (1000 statements): a fault in the sleep finds one batch run in the open transaction.
                    if (i == 1200)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"SELECT pg_sleep({sleep});\n");
                    }
                }

                return builder.Append(CultureInfo.InvariantCulture, $"INSERT INTO effects VALUES ({v}, 'multi-batch');\n").ToString();
            default:
                string body = $"""
                    {effects}CREATE TABLE m_{v} (id int PRIMARY KEY, note text);
                    INSERT INTO m_{v} SELECT g, 'row ' || g FROM generate_series(1, {RowsPerTable}) g;
                    SELECT pg_sleep({sleep});
                    INSERT INTO effects VALUES ({v}, '{kind.ToString().ToLowerInvariant()}');

                    """;
                return kind == WorkloadKind.Wrapped ? "BEGIN;\n" + body + "COMMIT;\n" : body;
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string name)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>What one workload migration left behind.</summary>
public sealed record MigrationEffect(int Version, bool HasTable, long Rows, long Indexes, bool IndexesValid, long EffectRows)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"m_{Version}: table {HasTable}, rows {Rows}, indexes {Indexes}{(IndexesValid ? string.Empty : " (invalid)")}, effects {EffectRows}");
}

/// <summary>The history (version → dirty) and every migration's effect.</summary>
public sealed record WorkloadState(IReadOnlyDictionary<long, bool> History, IReadOnlyList<MigrationEffect> Effects)
{
    public long? DirtyVersion => History.Where(h => h.Value).Select(h => (long?)h.Key).FirstOrDefault();

    public override string ToString() =>
        "history [" + string.Join(", ", History.OrderBy(h => h.Key).Select(h => h.Key + (h.Value ? " dirty" : string.Empty))) + "]; "
        + string.Join("; ", Effects.Where(e => e.HasTable || e.EffectRows > 0));
}
