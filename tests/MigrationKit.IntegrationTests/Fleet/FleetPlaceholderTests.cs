using MigrationKit.Fleet;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Sources;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Fleet;

/// <summary>
/// Placeholders on real servers: ${schema} in a function body, hostile schema names that migrate like any other and
/// inject nothing, an unknown placeholder refused before any target runs, and user values.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetPlaceholderTests
{
    [Test]
    public async Task Schema_in_a_function_body_is_replaced_for_each_tenant()
    {
        PostgresServer server = FleetShards.Servers[0];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 3);
        using var folder = new MigrationFolder()
            .Up(1, "create_items", "CREATE TABLE items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner text NOT NULL DEFAULT '${schema}');")
            .Up(2, "count_items", """
                -- Counts the tenant's items whatever the caller's search path: the body names the schema.
                CREATE FUNCTION count_items() RETURNS bigint LANGUAGE plpgsql AS $body$
                BEGIN
                    RETURN (SELECT count(*) FROM ${schema}.items WHERE owner = '${schema}');
                END
                $body$;
                """);
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions()).UpAsync(targets);

        report.Succeeded.Should().BeTrue(string.Join("\n", report.Targets.Select(t => t.Failure?.Message)));
        await Db.ExecuteAsync(database.ConnectionString, "INSERT INTO tenant_0002.items DEFAULT VALUES; INSERT INTO tenant_0002.items DEFAULT VALUES; INSERT INTO tenant_0003.items DEFAULT VALUES");
        (await Db.ScalarAsync<long>(database.ConnectionString, "SET search_path = public; SELECT tenant_0001.count_items()")).Should().Be(0);
        (await Db.ScalarAsync<long>(database.ConnectionString, "SET search_path = public; SELECT tenant_0002.count_items()")).Should().Be(2);
        (await Db.ScalarAsync<long>(database.ConnectionString, "SET search_path = public; SELECT tenant_0003.count_items()")).Should().Be(1);
        (await Db.ScalarAsync<string>(database.ConnectionString, "SELECT prosrc FROM pg_proc WHERE pronamespace = 'tenant_0002'::regnamespace AND proname = 'count_items'"))
            .Should().Contain("FROM \"tenant_0002\".items WHERE owner = 'tenant_0002'");

        // One migration, one checksum, in every tenant: the text as written.
        string checksum = MigrationScript.ComputeChecksum(File.ReadAllText(Path.Combine(folder.Path, "002_count_items.up.sql")));
        foreach (string schema in new[] { "tenant_0001", "tenant_0002", "tenant_0003" })
        {
            (await Db.ScalarAsync<string>(database.ConnectionString, $"SELECT checksum FROM {schema}.schema_migrations WHERE version = 2")).Should().Be(checksum);
        }
    }

    [Test]
    public async Task Hostile_schema_names_migrate_like_any_other_and_inject_nothing()
    {
        PostgresServer server = FleetShards.Servers[1];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 1);
        string[] hostile = ["x; DROP TABLE y; --", "Tenant \"7\"", "it's", "a\\b", "$x", "x'); DROP TABLE y; --", "tenant\nline"];
        await FleetFixture.CreateSchemasAsync(database, hostile);
        await Db.ExecuteAsync(database.ConnectionString, "CREATE TABLE public.y (id int)");
        using var folder = new MigrationFolder()
            .Up(1, "create_notes", "CREATE TABLE ${schema}.notes (id int PRIMARY KEY, schema_name text NOT NULL DEFAULT '${schema}', e text DEFAULT E'${schema}');")
            .Up(2, "audit", "CREATE TABLE \"${schema}_audit\" (id int); CREATE TABLE plain (id int);")
            .Up(3, "function", "CREATE FUNCTION whoami() RETURNS text LANGUAGE sql AS $fn$ SELECT '${schema}' || (SELECT count(*) FROM ${schema}.notes)::text $fn$;");
        var targets = new List<FleetTarget> { new(database.ConnectionString, "tenant_0001") };
        targets.AddRange(hostile.Select(name => new FleetTarget(database.ConnectionString, name)));

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions(), new FleetOptions { OnError = FleetErrorPolicy.Continue }).UpAsync(targets);

        report.Targets.Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied, string.Join("\n", report.Targets.Select(t => $"{t.Schema}: {t.Failure?.Message}")));
        (await Db.TablesAsync(database.ConnectionString, "public")).Should().Equal("y");
        foreach (string schema in hostile.Append("tenant_0001"))
        {
            (await Db.TablesAsync(database.ConnectionString, schema)).Should().BeEquivalentTo([schema + "_audit", "notes", "plain", "schema_migrations"], "every object of {0} is in it", schema);
            await Db.ExecuteAsync(database.ConnectionString, $"INSERT INTO {FleetFixture.Quote(schema)}.notes (id) VALUES (1)");
            (await Db.ScalarAsync<string>(database.ConnectionString, $"SELECT schema_name FROM {FleetFixture.Quote(schema)}.notes")).Should().Be(schema);
            (await Db.ScalarAsync<string>(database.ConnectionString, $"SELECT e FROM {FleetFixture.Quote(schema)}.notes")).Should().Be(schema);
            (await Db.ScalarAsync<string>(database.ConnectionString, $"SELECT {FleetFixture.Quote(schema)}.whoami()")).Should().Be(schema + "1");
        }
    }

    [Test]
    public async Task A_schema_name_that_would_end_a_dollar_quoted_body_fails_that_target_only_before_anything_runs_there()
    {
        PostgresServer server = FleetShards.Servers[1];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 2);
        await FleetFixture.CreateSchemasAsync(database, ["a$$b"]);
        using var folder = new MigrationFolder()
            .Up(1, "items", "CREATE TABLE items (id int);")
            .Up(2, "function", "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql AS $$\n  SELECT count(*) FROM ${schema}.items\n$$;");
        IReadOnlyList<FleetTarget> targets = [.. await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%"), new FleetTarget(database.ConnectionString, "a$$b")];

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions(), new FleetOptions { OnError = FleetErrorPolicy.Continue }).UpAsync(targets);

        report.Targets.Where(t => t.Schema.StartsWith("tenant_", StringComparison.Ordinal)).Should().OnlyContain(t => t.Outcome == FleetOutcome.Applied);
        FleetTargetResult refused = report.Targets.Single(t => t.Schema == "a$$b");
        refused.Outcome.Should().Be(FleetOutcome.Failed);
        refused.Failure!.Kind.Should().Be(nameof(MigrationValidationException));
        (Path.GetFileName(refused.Failure.File), refused.Failure.Line, refused.Failure.Column).Should().Be(("002_function.up.sql", 2, 24));
        (await FleetFixture.HistoryAsync(database.ConnectionString, "a$$b")).Should().BeEmpty("the plan is refused before anything runs on that target");
    }

    [Test]
    public async Task An_unknown_placeholder_is_refused_with_its_file_line_and_column_before_any_target_runs()
    {
        PostgresServer server = FleetShards.Servers[2];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 3);
        using var folder = new MigrationFolder()
            .Up(1, "items", "CREATE TABLE items (id int);")
            .Up(2, "grant", "-- Readers see the items.\nGRANT SELECT ON items TO ${reader};");
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        var runner = new FleetRunner(new FileSystemMigrationSource(folder.Path), new MigrationOptions());

        MigrationValidationException refused = (await FluentActions.Awaiting(() => runner.UpAsync(targets)).Should().ThrowAsync<MigrationValidationException>()).Which;

        ValidationProblem problem = refused.Problems.Should().ContainSingle().Which;
        problem.Code.Should().Be(ValidationCode.UnknownPlaceholder);
        (Path.GetFileName(problem.Origin), problem.Line, problem.Column).Should().Be(("002_grant.up.sql", 2, 26));
        foreach (FleetTarget target in targets)
        {
            (await FleetFixture.HistoryAsync(database.ConnectionString, target.Schema!)).Should().BeEmpty();
        }

        (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'items'")).Should().Be(0);
    }

    [Test]
    public async Task A_user_placeholder_is_inserted_as_written_and_the_same_migration_keeps_one_checksum()
    {
        PostgresServer server = FleetShards.Servers[2];
        await using var fixture = new FleetFixture();
        ThrowawayDatabase database = await fixture.CreateSchemasAsync(server, 2);
        string reader = "mk_reader_" + Guid.NewGuid().ToString("N")[..8];
        await Db.ExecuteAsync(database.ConnectionString, $"CREATE ROLE {reader}");
        using var folder = new MigrationFolder()
            .Up(1, "items", "CREATE TABLE items (id int);\nGRANT USAGE ON SCHEMA ${schema} TO ${reader};\nGRANT SELECT ON items TO ${reader};");
        IReadOnlyList<FleetTarget> targets = await FleetTargets.DiscoverSchemasAsync(database.ConnectionString, "tenant\\_%");
        var options = new MigrationOptions();
        options.Placeholders["reader"] = reader;

        FleetReport report = await new FleetRunner(new FileSystemMigrationSource(folder.Path), options).UpAsync(targets);

        report.Succeeded.Should().BeTrue(string.Join("\n", report.Targets.Select(t => t.Failure?.Message)));
        (await Db.ScalarAsync<bool>(database.ConnectionString, "SELECT has_table_privilege($1, 'tenant_0002.items', 'SELECT')", reader)).Should().BeTrue();
    }
}
