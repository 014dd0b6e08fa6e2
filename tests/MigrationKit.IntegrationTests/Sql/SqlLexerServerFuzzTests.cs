using System.Text;
using MigrationKit.Sql;
using Npgsql;

namespace MigrationKit.IntegrationTests.Sql;

/// <summary>
/// The script lexer against the server's own parser, seeded and reproducible. For a script the server accepts, the
/// lexer's split must be the server's: every statement it cuts out runs alone (as one extended-protocol command, which
/// the server refuses if it holds two statements, and which fails if a cut fell inside a string or comment), and
/// running them one by one has the same effect as the whole script parsed by the server (PL/pgSQL EXECUTE of the
/// whole text). For a script the lexer finds unterminated, the server must refuse it too. Everything runs in
/// transactions that are rolled back. The unit fuzz (tests/MigrationKit.Tests/Sql) checks that the lexer never throws
/// and keeps its invariants on far more inputs, without a server.
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Hostile")]
[Parallelizable(ParallelScope.All)]
public sealed class SqlLexerServerFuzzTests
{
    private const int GeneratedPerSeed = 300;
    private const int MutatedPerSeed = 1000;

    /// <summary>The schema mk_fuzz as text: relations with their columns, comments and rows, routines and rules.</summary>
    internal const string FingerprintQuery = """
        SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') FROM (
            SELECT 'relation ' || c.relkind::text || ' ' || c.relname || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-') || ' columns='
                || coalesce((SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || '=' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ',' ORDER BY a.attnum)
                             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
                || ' rows=' || (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS h FROM %s t', '|', '', c.oid::regclass), false, true, '')))[1]::text
            FROM pg_class c WHERE c.relnamespace = 'mk_fuzz'::regnamespace AND c.relkind IN ('r', 'v')
            UNION ALL
            SELECT 'routine ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p WHERE p.pronamespace = 'mk_fuzz'::regnamespace
            UNION ALL
            SELECT 'rule ' || r.rulename || ' ' || md5(pg_get_ruledef(r.oid)) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
            WHERE c.relnamespace = 'mk_fuzz'::regnamespace AND r.rulename <> '_RETURN'
        ) s(x)
        """;

    private static readonly string[] MutationAtoms = ["'", "\"", "$", "$$", ";", "--", "/*", "*/", "E'", "\\", "\n", "(", ")", "BEGIN ATOMIC ", " END", "$a$", "U&'"];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(20261124)]
    public async Task Generated_valid_scripts_split_exactly_as_the_server_parses_them(int seed)
    {
        await using NpgsqlConnection connection = await OpenAsync();
        var grammar = new SqlStatementGrammar(seed);
        var counts = new Counts();
        for (int i = 0; i < GeneratedPerSeed; i++)
        {
            string script = grammar.Script();
            string context = $"seed {seed}, case {i}";
            ServerVerdict whole = await RunWholeAsync(connection, script);
            if (whole.Error is { } refused)
            {
                Assert.Fail($"{context}: the generator makes valid scripts, but the server refused this one ({refused.SqlState}: {refused.MessageText} at {refused.Position}; {refused.Where}):\n{script}");
            }

            await CheckAgreementAsync(connection, script, whole, context, counts);
        }

        TestContext.Out.WriteLine($"seed {seed}: {GeneratedPerSeed} scripts, {counts.Statements} statements, each run alone and compared with the whole");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(20261124)]
    public async Task Mutated_scripts_the_server_accepts_split_as_the_server_parses_them_and_ones_the_lexer_rejects_the_server_rejects(int seed)
    {
        await using NpgsqlConnection connection = await OpenAsync();
        var grammar = new SqlStatementGrammar(seed + 1000);
        var random = new Random(seed);
        var counts = new Counts();
        for (int i = 0; i < MutatedPerSeed; i++)
        {
            string script = Mutate(grammar.Script(), random);
            string context = $"seed {seed}, case {i}";
            SqlScript parsed = SqlScript.Parse(script); // never throws: the unit fuzz checks that on far more inputs
            ServerVerdict whole = await RunWholeAsync(connection, script);
            if (parsed.Errors.Count > 0)
            {
                counts.LexerRejected++;
                whole.Error.Should().NotBeNull($"{context}: the lexer found '{parsed.Errors[0].Message}', so the server must refuse the script too:\n{script}");
                continue;
            }

            if (whole.Error is not null)
            {
                counts.ServerRejected++;
                continue;
            }

            counts.Accepted++;
            await CheckAgreementAsync(connection, script, whole, context, counts);
        }

        TestContext.Out.WriteLine($"seed {seed}: {MutatedPerSeed} mutated scripts: {counts.Accepted} accepted by the server and split alike ({counts.Statements} statements), {counts.ServerRejected} refused by the server, {counts.LexerRejected} unterminated for the lexer and refused by the server");
    }

    private static async Task CheckAgreementAsync(NpgsqlConnection connection, string script, ServerVerdict whole, string context, Counts counts)
    {
        SqlScript parsed = SqlScript.Parse(script);
        parsed.Errors.Should().BeEmpty($"{context}: the server accepts the script, so the lexer must read it to its end:\n{script}");
        await using (NpgsqlTransaction transaction = await BeginAsync(connection))
        {
            foreach (SqlStatement statement in parsed.Statements)
            {
                counts.Statements++;
                try
                {
                    // A batch command is sent as it is, in one Parse message: the server refuses two statements in one.
                    await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new NpgsqlBatchCommand(statement.Text) } };
                    await batch.ExecuteNonQueryAsync();
                }
                catch (PostgresException ex)
                {
                    Assert.Fail($"{context}: statement {statement.Position} of the lexer's split fails alone ({ex.SqlState}: {ex.MessageText}):\n--- statement\n{statement.Text}\n--- script\n{script}");
                }
            }

            string split = await FingerprintAsync(connection, transaction);
            split.Should().Be(whole.Fingerprint, $"{context}: running the split statements one by one must do what the whole script does:\n{script}");
        }
    }

    /// <summary>The whole text, parsed by the server (PL/pgSQL EXECUTE takes several statements), in a rolled-back transaction.</summary>
    private static async Task<ServerVerdict> RunWholeAsync(NpgsqlConnection connection, string script)
    {
        await using NpgsqlTransaction transaction = await BeginAsync(connection);
        try
        {
            await using (var command = new NpgsqlCommand("SELECT pg_temp.mk_run_whole($1)", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = script });
                await command.ExecuteNonQueryAsync();
            }

            return new ServerVerdict(null, await FingerprintAsync(connection, transaction));
        }
        catch (PostgresException ex)
        {
            return new ServerVerdict(ex, string.Empty);
        }
    }

    private static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection)
    {
        NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("CREATE SCHEMA mk_fuzz; SET LOCAL search_path = mk_fuzz; SET LOCAL statement_timeout = '5s';", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return transaction;
    }

    private static async Task<string> FingerprintAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand(FingerprintQuery, connection, transaction);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServer.ConnectionString) { ApplicationName = "mk-lexer-fuzz" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE FUNCTION pg_temp.mk_run_whole(script text) RETURNS void LANGUAGE plpgsql AS $$BEGIN EXECUTE script; END$$", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>One to three random edits: a character removed, an atom inserted or substituted, a piece repeated, the tail cut.</summary>
    private static string Mutate(string text, Random random)
    {
        for (int m = random.Next(1, 4); m > 0; m--)
        {
            int at = random.Next(text.Length + 1);
            int length = random.Next(0, Math.Min(8, text.Length - at) + 1);
            string atom = MutationAtoms[random.Next(MutationAtoms.Length)];
            text = random.Next(5) switch
            {
                0 => text.Remove(at, length),
                1 => text.Insert(at, atom),
                2 => text.Insert(at, text.Substring(at, length)),
                3 when text.Length > 0 => text.Remove(Math.Min(at, text.Length - 1), 1).Insert(Math.Min(at, text.Length - 1), atom),
                _ => text[..at],
            };
        }

        // A cut may split a surrogate pair; a file read as UTF-8 never holds a lone surrogate, so neither does this.
        var valid = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                valid.Append(text[i]).Append(text[++i]);
            }
            else
            {
                valid.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
            }
        }

        return valid.ToString();
    }

    private sealed record ServerVerdict(PostgresException? Error, string Fingerprint);

    private sealed class Counts
    {
        public int Statements { get; set; }

        public int Accepted { get; set; }

        public int ServerRejected { get; set; }

        public int LexerRejected { get; set; }
    }
}
