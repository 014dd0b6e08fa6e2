using System.Text;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Postgres;
using MigrationKit.Sql;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.IntegrationTests.Postgres;

/// <summary>
/// <see cref="CopyFromStdin"/> against a real server: what pg_dump writes comes back exactly, errors in the data name
/// the line of the script, the caller's transaction is the copy's, and cancellation stops it.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class CopyFromStdinTests
{
    /// <summary>Values that break naive handling of text-format data: every one is escaped by COPY TO and must come back as it was.</summary>
    private static readonly string?[] HostileValues =
    [
        null, string.Empty, "plain", "tab\there", "new\nline", "carriage\rreturn", "crlf\r\nend", "back\\slash", "\\N", "\\.",
        "\\", ";", "semi;colon; DROP TABLE t; --", "it's \"quoted\"", "$$ dollar $$", "/* not a comment */", "-- nor this",
        "ünïcødé 😀 日本語", " leading and trailing ", "\\.\n\\.", "ends with backslash\\",
    ];

    [Test]
    public async Task Pg_dump_style_text_data_with_nulls_escapes_tabs_and_unicode_loads_exactly()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE source (id int PRIMARY KEY, note text, tags text[], amount numeric, at timestamptz, raw bytea); CREATE TABLE target (LIKE source)");
        await InsertHostileRowsAsync(db.ConnectionString);
        string exported = await ExportAsync(db.ConnectionString, "COPY source TO STDOUT");

        SqlScript script = SqlScript.Parse($"-- seed data, as pg_dump --data-only writes it\nSET client_encoding = 'UTF8';\n\nCOPY public.target (id, note, tags, amount, at, raw) FROM stdin;\n{exported}\\.\n\nSELECT 1;\n");
        script.Errors.Should().BeEmpty();
        script.Statements[1].CopyData!.Text.Should().Be(exported);

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await RunAsync(connection, script);

        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM target")).Should().Be(HostileValues.Length);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM (SELECT * FROM source EXCEPT SELECT * FROM target) d")).Should().Be(0);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM target WHERE note IS NULL")).Should().Be(1);
        (await Db.ScalarAsync<string>(db.ConnectionString, "SELECT note FROM target WHERE id = 10")).Should().Be("\\.");
    }

    [Test]
    public async Task A_handwritten_text_block_means_what_psql_makes_of_it()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int, note text)");
        SqlScript script = SqlScript.Parse("COPY t (id, note) FROM stdin;\n1\t\\N\n2\ta\\tb\\\\c\\nd\n3\tx;'y' -- z\n4\t😀\n5\t\n\\.\n");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await RunAsync(connection, script);

        (await Db.ScalarAsync<string>(db.ConnectionString, "SELECT string_agg(id || '=' || coalesce(note, '<null>'), '|' ORDER BY id) FROM t"))
            .Should().Be("1=<null>|2=a\tb\\c\nd|3=x;'y' -- z|4=😀|5=");
    }

    [Test]
    public async Task Csv_with_a_header_quotes_commas_and_newlines_in_values_loads_exactly()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE source (id int PRIMARY KEY, note text, tags text[], amount numeric, at timestamptz, raw bytea); CREATE TABLE target (LIKE source)");
        await InsertHostileRowsAsync(db.ConnectionString, csvSafe: true);
        string exported = await ExportAsync(db.ConnectionString, "COPY source TO STDOUT WITH (FORMAT csv, HEADER true)");

        SqlScript script = SqlScript.Parse($"COPY target FROM STDIN WITH (FORMAT csv, HEADER true);\n{exported}\\.\n");
        script.Errors.Should().BeEmpty();
        script.Statements[0].CopyData!.Format.Should().Be(SqlCopyFormat.Csv);

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await RunAsync(connection, script);

        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM target")).Should().Be(HostileValues.Length - 2);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM (SELECT * FROM source EXCEPT SELECT * FROM target) d")).Should().Be(0);
    }

    [Test]
    public async Task A_crlf_script_loads_the_same_rows_as_psql_would()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int, note text)");
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\r\n1\ta\r\n2\t\\N\r\n\\.\r\nCOPY t FROM stdin CSV;\r\n3,\"x\r\ny\"\r\n\\.\r\n");
        script.Errors.Should().BeEmpty();

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await RunAsync(connection, script);

        (await Db.ScalarAsync<string>(db.ConnectionString, "SELECT string_agg(id || '=' || coalesce(note, '<null>'), '|' ORDER BY id) FROM t"))
            .Should().Be("1=a|2=<null>|3=x\r\ny");
    }

    [TestCase("x7\tseven\n", "22P02", 10)]
    [TestCase("7\n", "22P04", 10)]
    [TestCase("-7\tminus\n", "23514", 10)]
    public async Task A_bad_row_on_data_line_7_is_reported_at_its_line_in_the_file(string badRow, string sqlState, int fileLine)
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int CHECK (id > 0), note text)");
        var data = new StringBuilder();
        for (int i = 1; i <= 9; i++)
        {
            data.Append(i == 7 ? badRow : $"{i}\trow {i}\n");
        }

        SqlScript script = SqlScript.Parse($"-- line 1\nSELECT 1;\nCOPY t (id, note) FROM stdin;\n{data}\\.\nSELECT 2;\n");
        SqlStatement copy = script.Statements[1];

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        PostgresException error = (await FluentActions.Awaiting(() => CopyFromStdin.ExecuteAsync(connection, copy))
            .Should().ThrowAsync<PostgresException>()).Which;

        error.SqlState.Should().Be(sqlState);
        error.Where.Should().Contain("COPY t, line 7");
        CopyFromStdin.GetPositionOfError(copy, error).Should().Be(new SqlPosition(fileLine, 1));
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM t")).Should().Be(0, "a failed COPY outside a transaction loads nothing");
        (await ScalarAsync(connection, "SELECT 'still usable'")).Should().Be("still usable");
    }

    [Test]
    public async Task A_bad_row_after_multi_line_csv_values_is_reported_at_its_own_line()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int, note text)");
        SqlScript script = SqlScript.Parse("COPY t FROM stdin WITH (FORMAT csv, HEADER true);\nid,note\n1,\"two\nlines\"\n2,\"three\n\"\"quoted\"\"\nlines\"\nbad,x\n\\.\n");
        SqlStatement copy = script.Statements[0];

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        PostgresException error = (await FluentActions.Awaiting(() => CopyFromStdin.ExecuteAsync(connection, copy))
            .Should().ThrowAsync<PostgresException>()).Which;

        // The server counts every line of the data, the header and the newlines inside quoted values too.
        error.Where.Should().StartWith("COPY t, line 7");
        CopyFromStdin.GetPositionOfError(copy, error).Should().Be(new SqlPosition(8, 1));
    }

    [Test]
    public async Task A_failure_in_a_trigger_during_the_copy_is_mapped_past_the_triggers_own_context()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, """
            CREATE TABLE t (id int, note text);
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.note = 'no' THEN RAISE EXCEPTION 'refused row %', NEW.id; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION refuse();
            """);
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\tyes\n2\tno\n\\.\n");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        PostgresException error = (await FluentActions.Awaiting(() => CopyFromStdin.ExecuteAsync(connection, script.Statements[0]))
            .Should().ThrowAsync<PostgresException>()).Which;

        error.MessageText.Should().Be("refused row 2");
        CopyFromStdin.GetPositionOfError(script.Statements[0], error).Should().Be(new SqlPosition(3, 1));
    }

    [Test]
    public async Task The_copy_runs_in_the_callers_transaction_and_is_rolled_back_with_it()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int)");
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\n2\n\\.\n");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync())
        {
            await CopyFromStdin.ExecuteAsync(connection, script.Statements[0]);
            (await ScalarAsync(connection, "SELECT count(*)::text FROM t")).Should().Be("2");
            (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM t")).Should().Be(0, "uncommitted rows are invisible to others");
            await transaction.RollbackAsync();
        }

        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM t")).Should().Be(0);
    }

    [Test]
    public async Task A_failed_copy_leaves_the_callers_transaction_aborted()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int)");
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\nx\n\\.\n");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await FluentActions.Awaiting(() => CopyFromStdin.ExecuteAsync(connection, script.Statements[0])).Should().ThrowAsync<PostgresException>();

        (await FluentActions.Awaiting(() => ScalarAsync(connection, "SELECT 1")).Should().ThrowAsync<PostgresException>())
            .Which.SqlState.Should().Be(PostgresErrorCodes.InFailedSqlTransaction);
    }

    [Test]
    public async Task A_cancelled_token_stops_a_copy_that_waits_for_a_lock_on_its_table()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int)");
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\n\\.\n");
        await using NpgsqlConnection holder = await OpenAsync(db.ConnectionString);
        await using NpgsqlTransaction hold = await holder.BeginTransactionAsync();
        await ScalarAsync(holder, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT 'locked'");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        int pid = connection.ProcessID;
        using var cancellation = new CancellationTokenSource();
        Task copy = CopyFromStdin.ExecuteAsync(connection, script.Statements[0], cancellation.Token);
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted", pid),
            waiting => waiting > 0,
            TimeSpan.FromSeconds(30),
            "the COPY waits for the table lock");
        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => copy).Should().ThrowAsync<OperationCanceledException>();

        // Npgsql gives up the connection; the server session ends once it gets the lock and finds no client.
        connection.State.Should().NotBe(System.Data.ConnectionState.Open);
        await hold.RollbackAsync();
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid),
            sessions => sessions == 0,
            TimeSpan.FromSeconds(30),
            "the cancelled COPY's session has ended on the server");
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM t")).Should().Be(0);
    }

    [Test]
    public async Task A_cancelled_token_stops_a_copy_whose_server_has_stopped_reading_its_data()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, """
            CREATE TABLE t (id int, note text);
            CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$;
            CREATE TRIGGER wait_for_test BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION wait_for_test();
            """);
        var data = new StringBuilder("COPY t FROM stdin;\n");
        string filler = new('x', 200);
        for (int i = 0; i < 100_000; i++)
        {
            data.Append(i).Append('\t').Append(filler).Append('\n');
        }

        SqlScript script = SqlScript.Parse(data.Append("\\.\n").ToString());
        await using NpgsqlConnection holder = await OpenAsync(db.ConnectionString);
        await using NpgsqlTransaction hold = await holder.BeginTransactionAsync();
        await ScalarAsync(holder, "SELECT pg_advisory_xact_lock(4242)::text");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        int pid = connection.ProcessID;
        using var cancellation = new CancellationTokenSource();
        Task copy = CopyFromStdin.ExecuteAsync(connection, script.Statements[0], cancellation.Token);
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_locks WHERE pid = $1 AND locktype = 'advisory' AND NOT granted", pid),
            waiting => waiting > 0,
            TimeSpan.FromSeconds(30),
            "the COPY's first row waits in the trigger");
        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => copy).Should().ThrowAsync<OperationCanceledException>();
        await hold.RollbackAsync();
        await Eventually.ReturnsAsync(
            () => Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", pid),
            active => active == 0,
            TimeSpan.FromSeconds(30),
            "the cancelled COPY has ended on the server");
        connection.State.Should().NotBe(System.Data.ConnectionState.Open, "a write the server does not read is abandoned with the connection");
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM t")).Should().Be(0);
    }

    [Test]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        await Db.ExecuteAsync(db.ConnectionString, "CREATE TABLE t (id int)");
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\n\\.\n");

        await using NpgsqlConnection connection = await OpenAsync(db.ConnectionString);
        await FluentActions.Awaiting(() => CopyFromStdin.ExecuteAsync(connection, script.Statements[0], new CancellationToken(canceled: true)))
            .Should().ThrowAsync<OperationCanceledException>();

        (await ScalarAsync(connection, "SELECT count(*)::text FROM t")).Should().Be("0");
    }

    [TestCase("SELECT 1;")]
    [TestCase("COPY t FROM stdin;\n1\n")]
    [TestCase("COPY t FROM stdin WITH (FORMAT binary);\n\\.\n")]
    public async Task A_statement_that_is_no_runnable_copy_from_stdin_is_refused_before_anything_is_sent(string sql)
    {
        await using var connection = new NpgsqlConnection();

        await FluentActions.Awaiting(() => CopyFromStdin.ExecuteAsync(connection, SqlScript.Parse(sql).Statements[0]))
            .Should().ThrowAsync<ArgumentException>();
    }

    /// <summary>Runs a script the way an executor would: COPY statements through the helper, the others as commands.</summary>
    internal static async Task RunAsync(NpgsqlConnection connection, SqlScript script, NpgsqlTransaction? transaction = null)
    {
        script.Errors.Should().BeEmpty();
        foreach (SqlStatement statement in script.Statements)
        {
            if (statement.IsCopyFromStdin)
            {
                await CopyFromStdin.ExecuteAsync(connection, statement);
            }
            else
            {
                await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new NpgsqlBatchCommand(statement.Text) } };
                await batch.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task InsertHostileRowsAsync(string connectionString, bool csvSafe = false)
    {
        await using NpgsqlConnection connection = await OpenAsync(connectionString);
        for (int i = 0; i < HostileValues.Length; i++)
        {
            string? value = HostileValues[i];

            // psql ends the data at a line that is exactly \. even inside a quoted CSV value (a known psql limitation).
            if (csvSafe && value is not null && value.Contains("\\.", StringComparison.Ordinal))
            {
                continue;
            }

            await using var command = new NpgsqlCommand(
                "INSERT INTO source VALUES ($1, $2, $3, $4, $5, $6)", connection)
            {
                Parameters =
                {
                    new() { Value = i + 1 },
                    new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                    new() { Value = value is null ? DBNull.Value : new[] { value, "b,c", "{x}" } },
                    new() { Value = i * 1.25m },
                    new() { Value = DateTimeOffset.UnixEpoch.AddDays(i).UtcDateTime },
                    new() { Value = Encoding.UTF8.GetBytes(value ?? "\0") },
                },
            };
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<string> ExportAsync(string connectionString, string copyTo)
    {
        await using NpgsqlConnection connection = await OpenAsync(connectionString);
        using TextReader reader = await connection.BeginTextExportAsync(copyTo);
        return await reader.ReadToEndAsync();
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? string.Empty;
    }
}
