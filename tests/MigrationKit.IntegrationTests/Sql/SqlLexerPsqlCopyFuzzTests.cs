using System.Diagnostics;
using System.Text;
using MigrationKit.Postgres;
using MigrationKit.Sql;
using Npgsql;

namespace MigrationKit.IntegrationTests.Sql;

/// <summary>
/// The script lexer and <see cref="CopyFromStdin"/> against psql itself, seeded and reproducible: generated scripts that
/// mix statements full of tricky strings and comments with <c>COPY ... FROM STDIN</c> data blocks (text and CSV, LF
/// and CRLF, data lines that look like SQL, comments or psql commands) are run by <c>psql -f</c> and by the lexer's
/// split (COPY statements through the helper), each in a rolled-back transaction, and must leave the same schema and
/// rows. The server fuzz (<see cref="SqlLexerServerFuzzTests"/>) cannot cover COPY: the server alone cannot run it.
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Hostile")]
[Parallelizable(ParallelScope.All)]
public sealed class SqlLexerPsqlCopyFuzzTests
{
    private const int ScriptsPerSeed = 100;

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(20261124)]
    public async Task Scripts_with_copy_blocks_load_exactly_what_psql_loads(int seed)
    {
        string psql = FindPsql() ?? throw new IgnoreException("psql is not on this machine: the oracle of this test is missing.");
        var grammar = new SqlStatementGrammar(seed, psqlCompatible: true, withCopy: true);
        await using var connection = new NpgsqlConnection(TestServer.ConnectionString);
        await connection.OpenAsync();
        int copies = 0;
        int rows = 0;
        for (int i = 0; i < ScriptsPerSeed; i++)
        {
            string script = grammar.Script();
            string context = $"seed {seed}, case {i}";
            SqlScript parsed = SqlScript.Parse(script);
            parsed.Errors.Should().BeEmpty($"{context}: the script is well formed:\n{script}");

            string expected = await RunWithPsqlAsync(psql, script, context);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
            await using (var setup = new NpgsqlCommand("CREATE SCHEMA mk_fuzz; SET LOCAL search_path = mk_fuzz", connection, transaction))
            {
                await setup.ExecuteNonQueryAsync();
            }

            foreach (SqlStatement statement in parsed.Statements)
            {
                try
                {
                    if (statement.CopyData is { } data)
                    {
                        copies++;
                        rows += data.Text.Count(c => c == '\n');
                        await CopyFromStdin.ExecuteAsync(connection, statement);
                    }
                    else
                    {
                        await ExecuteAsync(connection, transaction, statement.Text);
                    }
                }
                catch (PostgresException ex)
                {
                    Assert.Fail($"{context}: statement {statement.Position} of the lexer's split fails ({ex.SqlState}: {ex.MessageText}; {ex.Where}), where psql ran the script:\n{script}");
                }
            }

            string actual = await ScalarAsync(connection, transaction, SqlLexerServerFuzzTests.FingerprintQuery);
            actual.Should().Be(expected, $"{context}: the split and the COPY helper must leave what psql leaves:\n{script}");
            await transaction.RollbackAsync();
        }

        TestContext.Out.WriteLine($"seed {seed}: {ScriptsPerSeed} scripts with {copies} COPY blocks ({rows} data lines) loaded as psql loads them");
    }

    /// <summary>psql runs the script in a transaction of its own, prints the fingerprint and rolls back.</summary>
    private static async Task<string> RunWithPsqlAsync(string psql, string script, string context)
    {
        var settings = new NpgsqlConnectionStringBuilder(TestServer.ConnectionString);
        string file = Path.Combine(Path.GetTempPath(), $"mk-psql-fuzz-{Guid.NewGuid():N}.sql");
        // The script's own SELECTs print nothing (\o /dev/null); only the fingerprint does.
        string whole = "\\o /dev/null\nBEGIN;\nCREATE SCHEMA mk_fuzz;\nSET LOCAL search_path = mk_fuzz;\n" + script + "\n;\n\\o\n"
            + SqlLexerServerFuzzTests.FingerprintQuery + ";\nROLLBACK;\n";
        await File.WriteAllTextAsync(file, whole, new UTF8Encoding(false));
        try
        {
            var start = new ProcessStartInfo(psql)
            {
                ArgumentList = { "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", file },
            };
            start.Environment["PGHOST"] = settings.Host;
            start.Environment["PGPORT"] = settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["PGUSER"] = settings.Username;
            start.Environment["PGDATABASE"] = settings.Database;
            start.Environment["PGPASSWORD"] = settings.Password ?? string.Empty;
            start.Environment["PGCLIENTENCODING"] = "UTF8";
            ChildResult psqlRun = await ChildProcess.RunAsync(start, TimeSpan.FromSeconds(60), new ChildProcessOptions { Name = "psql" });
            if (psqlRun.ExitCode != 0)
            {
                Assert.Fail($"{context}: psql refused the generated script ({psqlRun.Error}):\n{script}");
            }

            // psql ends the fingerprint's row with a newline; the fingerprint itself may hold newlines.
            string text = psqlRun.Out;
            return text.EndsWith('\n') ? text[..^1] : text;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string? FindPsql()
    {
        foreach (string directory in Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().ToArray() : [])
        {
            string candidate = Path.Combine(directory, "bin", "psql");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "psql.exe" : "psql");
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new NpgsqlBatchCommand(sql) } };
        await batch.ExecuteNonQueryAsync();
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
