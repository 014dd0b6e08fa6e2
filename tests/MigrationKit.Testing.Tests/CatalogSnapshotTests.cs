using MigrationKit.Testing.Internal;
using Npgsql;

namespace MigrationKit.Testing.Tests;

/// <summary>
/// The catalog snapshot behind verify, against a real database: each kind of object shows up in it, a change to it
/// shows up in the comparison naming it, and what legitimately differs (OIDs, sequence values, data, statistics,
/// column order, the history table) does not.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CatalogSnapshotTests
{
    private const string Table = "CREATE TABLE t (id int PRIMARY KEY, name text, qty int CHECK (qty > 0), status text DEFAULT 'new');";

    private static readonly CatalogScope Scope = new("public", ["schema_migrations", "schema_migrations_lock"]);

    private PostgresServer server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => server = await PostgresServer.StartAsync(new PostgresServerOptions { AllowContainer = false, SpareDatabases = 0 });

    [OneTimeTearDown]
    public async Task StopServer() => await server.DisposeAsync();

    /// <summary>
    /// Each case: the schema before, the change a down script might fail to undo, the object the comparison must
    /// name, and how. The object must be in the snapshot that has it.
    /// </summary>
    public static IEnumerable<TestCaseData> Changes()
    {
        static TestCaseData Case(string name, string setup, string change, string identity, SchemaChange expected) =>
            new TestCaseData(setup, change, identity, expected).SetName("A change to " + name + " shows up as " + expected);

        yield return Case("a schema", "CREATE SCHEMA app;", "DROP SCHEMA app;", "schema \"app\"", SchemaChange.Missing);
        yield return Case("a table", Table, "DROP TABLE t;", "table \"public\".\"t\"", SchemaChange.Missing);
        yield return Case("a table's persistence", Table, "ALTER TABLE t SET UNLOGGED;", "table \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a table's row level security", Table, "ALTER TABLE t ENABLE ROW LEVEL SECURITY;", "table \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a table's storage options", Table, "ALTER TABLE t SET (fillfactor = 70);", "table \"public\".\"t\"", SchemaChange.Changed);
        yield return Case(
            "a partition",
            "CREATE TABLE m (at date NOT NULL) PARTITION BY RANGE (at); CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
            "ALTER TABLE m DETACH PARTITION m_2026;",
            "table \"public\".\"m_2026\"",
            SchemaChange.Changed);
        yield return Case("a column", Table, "ALTER TABLE t ADD COLUMN extra int;", "column \"extra\" of \"public\".\"t\"", SchemaChange.Added);
        yield return Case("a column's type", Table, "ALTER TABLE t ALTER COLUMN name TYPE varchar(20);", "column \"name\" of \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a column's default", Table, "ALTER TABLE t ALTER COLUMN status SET DEFAULT 'old';", "column \"status\" of \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a column's nullability", Table, "ALTER TABLE t ALTER COLUMN name SET NOT NULL;", "column \"name\" of \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a column's collation", Table, "ALTER TABLE t ALTER COLUMN name TYPE text COLLATE \"C\";", "column \"name\" of \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a column's identity", Table, "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;", "column \"id\" of \"public\".\"t\"", SchemaChange.Changed);
        yield return Case(
            "a generated column",
            "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);",
            "ALTER TABLE g DROP COLUMN b; ALTER TABLE g ADD COLUMN b int GENERATED ALWAYS AS (a * 3) STORED;",
            "column \"b\" of \"public\".\"g\"",
            SchemaChange.Changed);
        yield return Case("a check constraint", Table, "ALTER TABLE t DROP CONSTRAINT t_qty_check;", "constraint \"t_qty_check\" on \"public\".\"t\"", SchemaChange.Missing);
        yield return Case(
            "a check constraint's expression",
            Table,
            "ALTER TABLE t DROP CONSTRAINT t_qty_check, ADD CONSTRAINT t_qty_check CHECK (qty >= 0);",
            "constraint \"t_qty_check\" on \"public\".\"t\"",
            SchemaChange.Changed);
        yield return Case(
            "a constraint's validation",
            Table + " ALTER TABLE t ADD CONSTRAINT t_name_check CHECK (name <> '') NOT VALID;",
            "ALTER TABLE t VALIDATE CONSTRAINT t_name_check;",
            "constraint \"t_name_check\" on \"public\".\"t\"",
            SchemaChange.Changed);
        yield return Case(
            "a foreign key",
            Table + " CREATE TABLE child (id int, t_id int REFERENCES t (id) ON DELETE CASCADE);",
            "ALTER TABLE child DROP CONSTRAINT child_t_id_fkey;",
            "constraint \"child_t_id_fkey\" on \"public\".\"child\"",
            SchemaChange.Missing);
        yield return Case("a unique constraint", Table, "ALTER TABLE t ADD CONSTRAINT t_name_key UNIQUE (name);", "constraint \"t_name_key\" on \"public\".\"t\"", SchemaChange.Added);
        yield return Case("an index", Table + " CREATE INDEX t_name_idx ON t (name);", "DROP INDEX t_name_idx;", "index \"t_name_idx\" on \"public\".\"t\"", SchemaChange.Missing);
        yield return Case(
            "an index's definition",
            Table + " CREATE INDEX t_name_idx ON t (name);",
            "DROP INDEX t_name_idx; CREATE INDEX t_name_idx ON t (name) WHERE status = 'new';",
            "index \"t_name_idx\" on \"public\".\"t\"",
            SchemaChange.Changed);
        yield return Case("a sequence", "CREATE SEQUENCE s;", "DROP SEQUENCE s;", "sequence \"public\".\"s\"", SchemaChange.Missing);
        yield return Case("a sequence's increment", "CREATE SEQUENCE s;", "ALTER SEQUENCE s INCREMENT BY 5;", "sequence \"public\".\"s\"", SchemaChange.Changed);
        yield return Case(
            "a sequence's owner",
            Table + " CREATE SEQUENCE s;",
            "ALTER SEQUENCE s OWNED BY t.id;",
            "sequence \"public\".\"s\"",
            SchemaChange.Changed);
        yield return Case(
            "a function's body",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';",
            "function \"public\".\"f\"()",
            SchemaChange.Changed);
        yield return Case(
            "a function's volatility",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "ALTER FUNCTION f() IMMUTABLE;",
            "function \"public\".\"f\"()",
            SchemaChange.Changed);
        yield return Case(
            "a function's overload",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "CREATE FUNCTION f(x integer) RETURNS int LANGUAGE sql AS 'SELECT x';",
            "function \"public\".\"f\"(integer)",
            SchemaChange.Added);
        yield return Case(
            "a procedure",
            "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';",
            "DROP PROCEDURE p();",
            "procedure \"public\".\"p\"()",
            SchemaChange.Missing);
        yield return Case(
            "an aggregate",
            "CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');",
            "DROP AGGREGATE total(int);",
            "aggregate \"public\".\"total\"(integer)",
            SchemaChange.Missing);
        yield return Case(
            "a trigger",
            Table + " CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
            "DROP TRIGGER t_touch ON t;",
            "trigger \"t_touch\" on \"public\".\"t\"",
            SchemaChange.Missing);
        yield return Case(
            "a trigger's enabled state",
            Table + " CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
            "ALTER TABLE t DISABLE TRIGGER t_touch;",
            "trigger \"t_touch\" on \"public\".\"t\"",
            SchemaChange.Changed);
        yield return Case(
            "a view's definition",
            Table + " CREATE VIEW v AS SELECT id, name FROM t;",
            "CREATE OR REPLACE VIEW v AS SELECT id, name FROM t WHERE status = 'new';",
            "view \"public\".\"v\"",
            SchemaChange.Changed);
        yield return Case(
            "a materialized view",
            Table + " CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;",
            "DROP MATERIALIZED VIEW mv;",
            "materialized view \"public\".\"mv\"",
            SchemaChange.Missing);
        yield return Case(
            "an index on a materialized view",
            Table + " CREATE MATERIALIZED VIEW mv AS SELECT id FROM t; CREATE UNIQUE INDEX mv_id ON mv (id);",
            "DROP INDEX mv_id;",
            "index \"mv_id\" on \"public\".\"mv\"",
            SchemaChange.Missing);
        yield return Case("an enum's values", "CREATE TYPE mood AS ENUM ('sad', 'happy');", "ALTER TYPE mood ADD VALUE 'ok';", "type \"public\".\"mood\"", SchemaChange.Changed);
        yield return Case("a domain's default", "CREATE DOMAIN d AS int DEFAULT 1;", "ALTER DOMAIN d SET DEFAULT 2;", "domain \"public\".\"d\"", SchemaChange.Changed);
        yield return Case("a domain's nullability", "CREATE DOMAIN d AS int;", "ALTER DOMAIN d SET NOT NULL;", "domain \"public\".\"d\"", SchemaChange.Changed);
        yield return Case(
            "a domain's constraint",
            "CREATE DOMAIN d AS int CONSTRAINT positive CHECK (VALUE > 0);",
            "ALTER DOMAIN d DROP CONSTRAINT positive;",
            "constraint \"positive\" on domain \"public\".\"d\"",
            SchemaChange.Missing);
        yield return Case("a composite type", "CREATE TYPE pair AS (a int, b text);", "ALTER TYPE pair ADD ATTRIBUTE c int;", "type \"public\".\"pair\"", SchemaChange.Changed);
        yield return Case("a range type", "CREATE TYPE floats AS RANGE (SUBTYPE = float8);", "DROP TYPE floats;", "type \"public\".\"floats\"", SchemaChange.Missing);
        yield return Case("a table's comment", Table + " COMMENT ON TABLE t IS 'Things';", "COMMENT ON TABLE t IS 'Stuff';", "comment on table \"public\".\"t\"", SchemaChange.Changed);
        yield return Case("a column's comment", Table + " COMMENT ON COLUMN t.name IS 'Its name';", "COMMENT ON COLUMN t.name IS NULL;", "comment on column \"name\" of \"public\".\"t\"", SchemaChange.Missing);
        yield return Case(
            "an index's comment",
            Table + " CREATE INDEX t_name_idx ON t (name);",
            "COMMENT ON INDEX t_name_idx IS 'For lookups by name';",
            "comment on index \"t_name_idx\" on \"public\".\"t\"",
            SchemaChange.Added);
        yield return Case(
            "a function's comment",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "COMMENT ON FUNCTION f() IS 'One';",
            "comment on function \"public\".\"f\"()",
            SchemaChange.Added);
        yield return Case("a schema's comment", "CREATE SCHEMA app;", "COMMENT ON SCHEMA app IS 'The app';", "comment on schema \"app\"", SchemaChange.Added);
        yield return Case(
            "a policy",
            Table + " CREATE POLICY own ON t FOR SELECT USING (status = 'new');",
            "DROP POLICY own ON t;",
            "policy \"own\" on \"public\".\"t\"",
            SchemaChange.Missing);
        yield return Case(
            "a rule",
            Table + " CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING;",
            "DROP RULE no_delete ON t;",
            "rule \"no_delete\" on \"public\".\"t\"",
            SchemaChange.Missing);
        yield return Case(
            "an extended statistics object",
            Table + " CREATE STATISTICS t_stats (dependencies) ON name, status FROM t;",
            "DROP STATISTICS t_stats;",
            "statistics \"public\".\"t_stats\"",
            SchemaChange.Missing);
        yield return Case(
            "a table whose name needs quotes",
            "CREATE TABLE \"Odd \"\"Name\"\"\" (id int);",
            "DROP TABLE \"Odd \"\"Name\"\"\";",
            "table \"public\".\"Odd \"\"Name\"\"\"",
            SchemaChange.Missing);
    }

    [TestCaseSource(nameof(Changes))]
    public async Task Each_kind_of_object_is_in_the_snapshot_and_a_change_to_it_is_in_the_comparison(
        string setup, string change, string identity, SchemaChange expected)
    {
        await using var database = await server.CreateEmptyDatabaseAsync("mk_catalog_");
        await ExecuteAsync(database, setup);
        var before = await SnapshotAsync(database);
        await ExecuteAsync(database, change);
        var after = await SnapshotAsync(database);

        var holder = expected == SchemaChange.Added ? after : before;
        holder.Find(identity).Should().NotBeNull($"the snapshot lists {identity}; it has:\n{holder}");
        var differences = CatalogDiff.Compare(before, after);
        differences.Should().Contain(
            d => d.ObjectName == identity && d.Change == expected,
            $"the comparison names {identity}; it found:\n{string.Join('\n', differences.Select(d => d.Message))}");
    }

    public static IEnumerable<TestCaseData> Unchanged()
    {
        static TestCaseData Case(string name, string setup, string change) =>
            new TestCaseData(setup, change).SetName("No difference when " + name);

        yield return Case("a sequence advances", "CREATE SEQUENCE s;", "SELECT nextval('s'); SELECT nextval('s');");
        yield return Case("rows are written and statistics gathered", Table, "INSERT INTO t SELECT g, 'n' || g, g FROM generate_series(1, 500) g; ANALYZE t;");
        yield return Case("a table is dropped and created again the same (new OIDs)", Table + " CREATE INDEX t_name_idx ON t (name);", "DROP TABLE t; " + Table + " CREATE INDEX t_name_idx ON t (name);");
        yield return Case("a column comes back at another position", Table, "ALTER TABLE t DROP COLUMN name; ALTER TABLE t ADD COLUMN name text;");
        yield return Case(
            "only the history table and its lock table change",
            "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);",
            "INSERT INTO schema_migrations VALUES (1, false); ALTER TABLE schema_migrations ADD COLUMN note text; CREATE INDEX ON schema_migrations (dirty); " +
            "COMMENT ON TABLE schema_migrations IS 'history'; CREATE TABLE schema_migrations_lock (id int PRIMARY KEY, holder text);");
        yield return Case(
            "a function is replaced by the same function",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';");
        yield return Case("a materialized view is refreshed", Table + " CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;", "INSERT INTO t VALUES (1, 'a', 1); REFRESH MATERIALIZED VIEW mv;");
        yield return Case(
            "the session's search_path differs",
            "CREATE SCHEMA app; CREATE TABLE app.parent (id int PRIMARY KEY); CREATE TABLE app.kid (id int, parent_id int REFERENCES app.parent (id), n int DEFAULT 1);",
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = app, public', current_database()); END $$;");
    }

    [TestCaseSource(nameof(Unchanged))]
    public async Task What_legitimately_differs_is_not_compared(string setup, string change)
    {
        await using var database = await server.CreateEmptyDatabaseAsync("mk_catalog_");
        await ExecuteAsync(database, setup);
        var before = await SnapshotAsync(database);
        await ExecuteAsync(database, change);
        NpgsqlConnection.ClearAllPools();   // a changed database default search_path applies to new sessions
        var after = await SnapshotAsync(database);

        CatalogDiff.Compare(before, after).Select(d => d.Message).Should().BeEmpty();
        after.Lines.Should().Equal(before.Lines);
    }

    [Test]
    public async Task A_dropped_table_is_one_difference_not_one_per_column_index_constraint_and_comment()
    {
        await using var database = await server.CreateEmptyDatabaseAsync("mk_catalog_");
        await ExecuteAsync(database, Table + " CREATE INDEX t_name_idx ON t (name); COMMENT ON COLUMN t.name IS 'Its name'; CREATE SEQUENCE t_seq OWNED BY t.id;");
        var before = await SnapshotAsync(database);
        await ExecuteAsync(database, "DROP TABLE t;");
        var after = await SnapshotAsync(database);

        CatalogDiff.Compare(before, after).Select(d => d.Message).Should().Equal("table \"public\".\"t\" is missing after down");
    }

    [Test]
    public async Task The_snapshot_of_the_Planner_schema_reads_as_PostgreSQL_defines_it_schema_qualified()
    {
        await using var database = await server.CreateDatabaseAsync(new Sources.FileSystemMigrationSource(PlannerFolder));
        var lines = (await SnapshotAsync(database)).Lines.ToList();

        lines.Should().Contain("table \"public\".\"tasks\"")
            .And.Contain("column \"status\" of \"public\".\"tasks\": text NOT NULL DEFAULT 'todo'::text")
            .And.Contain("column \"id\" of \"public\".\"tasks\": bigint NOT NULL GENERATED ALWAYS AS IDENTITY")
            .And.Contain("column \"assignee\" of \"public\".\"tasks\": text NULL")
            .And.Contain("constraint \"tasks_project_id_fkey\" on \"public\".\"tasks\": FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE")
            .And.Contain("index \"disputes_open_idx\" on \"public\".\"disputes\": CREATE INDEX disputes_open_idx ON public.disputes USING btree (created_at) WHERE (status = 'open'::text)")
            .And.Contain("sequence \"public\".\"tasks_id_seq\": bigint START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 IDENTITY OF public.tasks.id")
            .And.Contain("trigger \"tasks_audit\" on \"public\".\"tasks\": CREATE TRIGGER tasks_audit AFTER INSERT OR DELETE OR UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.write_audit_log()")
            .And.Contain(l => l.StartsWith("function \"public\".\"set_updated_at\"(): CREATE OR REPLACE FUNCTION public.set_updated_at()", StringComparison.Ordinal)
                && l.Contains("NEW.updated_at := now();", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.Contains("schema_migrations", StringComparison.Ordinal), "the history table is MigrationKit's");
        lines.Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Test]
    public async Task An_extension_is_one_line_without_the_functions_and_types_it_brings()
    {
        await using var database = await server.CreateEmptyDatabaseAsync("mk_catalog_");
        if (!await TestSupport.ScalarAsync<bool>(database.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'citext')"))
        {
            Assert.Ignore("The citext extension is not installed on this server.");
        }

        var before = await SnapshotAsync(database);
        await ExecuteAsync(database, "CREATE EXTENSION citext;");
        var after = await SnapshotAsync(database);

        CatalogDiff.Compare(before, after).Select(d => d.Message)
            .Should().Equal("extension \"citext\" is left over after down (it did not exist before the up)");
        after.Lines.Should().Contain(l => l.StartsWith("extension \"citext\": version ", StringComparison.Ordinal));
    }

    private static string PlannerFolder => Path.Combine(AppContext.BaseDirectory, "Migrations", "Planner");

    private static async Task ExecuteAsync(ThrowawayDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<CatalogSnapshot> SnapshotAsync(ThrowawayDatabase database)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        return await CatalogSnapshot.ReadAsync(dataSource, Scope);
    }
}
