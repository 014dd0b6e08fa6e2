using MigrationKit.Sql;

namespace MigrationKit.Postgres;

/// <summary>
/// Every statement about the history table, in one place. Identifiers come in quoted by <see cref="PostgresIdentifier"/>;
/// values are always positional parameters (<c>$1</c>), which Npgsql sends as they are.
/// </summary>
internal sealed class HistorySql
{
    /// <summary>The columns of a MigrationKit history table, <c>recorded_as</c> aside (added in place to older tables).</summary>
    public static readonly string[] RequiredColumns = ["version", "description", "checksum", "dirty", "applied_at", "execution_ms", "applied_by"];

    public HistorySql(string schema, string table)
    {
        Schema = schema;
        Table = table;
        QuotedSchema = PostgresIdentifier.Quote(schema);
        QualifiedTable = PostgresIdentifier.Quote(schema, table);

        ReadHistory = $"SELECT version, description, checksum, dirty, applied_at, execution_ms, applied_by, recorded_as FROM {QualifiedTable} ORDER BY version";

        // A table made before recorded_as existed: read as it is; the next run that writes adds the column.
        ReadHistoryWithoutKind = $"SELECT version, description, checksum, dirty, applied_at, execution_ms, applied_by, NULL::text FROM {QualifiedTable} ORDER BY version";

        // Names a column that golang-migrate's (version, dirty) table lacks, so that table fails here as it fails
        // ReadHistory, and the full path reads it as golang-migrate's; applied_by is never null, so no row is left out.
        ReadVersions = $"SELECT version, dirty FROM {QualifiedTable} WHERE applied_by IS NOT NULL";

        CreateTable = $"""
            CREATE TABLE IF NOT EXISTS {QualifiedTable} (
                version bigint NOT NULL PRIMARY KEY,
                description text NOT NULL,
                checksum text NULL,
                dirty boolean NOT NULL DEFAULT false,
                applied_at timestamptz NOT NULL DEFAULT now(),
                execution_ms bigint NULL,
                applied_by text NOT NULL DEFAULT current_user,
                recorded_as text NULL
            )
            """;

        CreateSchema = $"CREATE SCHEMA IF NOT EXISTS {QuotedSchema}";

        AddKindColumn = $"ALTER TABLE {QualifiedTable} ADD COLUMN IF NOT EXISTS recorded_as text NULL";

        // In the same transaction as the script: execution_ms is the server's time since BEGIN. A row already there
        // means another runner applied the version: the unique violation rolls the script back.
        InsertApplied = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty, execution_ms)
            VALUES ($1, $2, $3, false, (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)
            """;

        DeleteVersion = $"DELETE FROM {QualifiedTable} WHERE version = $1";

        // Never re-marks a row that is there: a clean row means another runner applied the version (0 rows affected).
        MarkDirtyForUp = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty)
            VALUES ($1, $2, $3, true)
            ON CONFLICT (version) DO NOTHING
            """;

        // Going down: only a clean row that is there (0 rows affected: another runner reverted it).
        MarkDirtyForDown = $"UPDATE {QualifiedTable} SET dirty = true WHERE version = $1 AND NOT dirty";

        ClearDirty = $"UPDATE {QualifiedTable} SET dirty = false, execution_ms = $2, applied_at = now() WHERE version = $1 AND dirty";

        ForceDeleteAbove = $"DELETE FROM {QualifiedTable} WHERE version > $1";

        DeleteAll = $"DELETE FROM {QualifiedTable}";

        ForceClearDirty = $"UPDATE {QualifiedTable} SET dirty = false WHERE dirty";

        // $5 is how the rows were recorded (recorded_as); rows already there are kept as they are.
        InsertMany = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty, recorded_as)
            SELECT v, d, c, x, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[]) AS r(v, d, c, x)
            ON CONFLICT (version) DO NOTHING
            """;

        RepairChecksums = $"""
            UPDATE {QualifiedTable} AS h SET checksum = r.c
            FROM unnest($1::bigint[], $2::text[]) AS r(v, c)
            WHERE h.version = r.v
            """;

        ReadGolangMigrateVersion = $"SELECT version, dirty FROM {QualifiedTable}";

        UpgradeGolangMigrateTable = $"""
            ALTER TABLE {QualifiedTable}
                ADD COLUMN description text NOT NULL DEFAULT '',
                ADD COLUMN checksum text NULL,
                ADD COLUMN applied_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN execution_ms bigint NULL,
                ADD COLUMN applied_by text NOT NULL DEFAULT current_user,
                ADD COLUMN recorded_as text NULL
            """;

        DropDescriptionDefault = $"ALTER TABLE {QualifiedTable} ALTER COLUMN description DROP DEFAULT";
    }

    public string Schema { get; }

    public string Table { get; }

    public string QuotedSchema { get; }

    public string QualifiedTable { get; }

    public string ReadHistory { get; }

    public string ReadHistoryWithoutKind { get; }

    /// <summary>Only what a start-up needs to tell that nothing is pending: the versions and their dirty flags.</summary>
    public string ReadVersions { get; }

    public string CreateSchema { get; }

    public string CreateTable { get; }

    public string AddKindColumn { get; }

    public string InsertApplied { get; }

    public string DeleteVersion { get; }

    public string MarkDirtyForUp { get; }

    public string MarkDirtyForDown { get; }

    public string ClearDirty { get; }

    public string ForceDeleteAbove { get; }

    public string DeleteAll { get; }

    public string ForceClearDirty { get; }

    public string InsertMany { get; }

    public string RepairChecksums { get; }

    public string ReadGolangMigrateVersion { get; }

    public string UpgradeGolangMigrateTable { get; }

    public string DropDescriptionDefault { get; }

    /// <summary>The columns of the table (none when it does not exist) and whether the schema exists. $1 = schema, $2 = table.</summary>
    public const string Inspect = """
        SELECT
            EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema_exists,
            ARRAY(
                SELECT a.attname::text
                FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum) AS columns
        """;

    /// <summary>Indexes left invalid by a failed CREATE INDEX CONCURRENTLY.</summary>
    public const string InvalidIndexes = """
        SELECT format('%I.%I', n.nspname, c.relname)
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT i.indisvalid
        ORDER BY 1
        """;

    /// <summary>The values of <c>recorded_as</c>: null for a migration whose script ran.</summary>
    public static string? RecordedAs(HistoryRecordKind kind) => kind switch
    {
        HistoryRecordKind.Forced => "forced",
        HistoryRecordKind.Baselined => "baseline",
        HistoryRecordKind.AdoptedFromGolangMigrate => "golang-migrate",
        _ => null,
    };

    public static HistoryRecordKind KindOf(string? recordedAs) => recordedAs switch
    {
        "forced" => HistoryRecordKind.Forced,
        "baseline" => HistoryRecordKind.Baselined,
        "golang-migrate" => HistoryRecordKind.AdoptedFromGolangMigrate,
        _ => HistoryRecordKind.Applied,
    };

    /// <summary>
    /// One DROP statement per object of schema $1, in an order where CASCADE and IF EXISTS make each one safe:
    /// views first, then tables (their sequences, indexes, triggers go with them), sequences, routines,
    /// aggregates, types and domains. Members of extensions are left alone, and so is the lease table ($2), which the
    /// running drop holds. Names are quoted by the server.
    /// </summary>
    public const string DropStatements = """
        WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1),
        not_extension AS (
            SELECT d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
        ),
        rels AS (
            SELECT c.oid, c.relkind, format('%I.%I', $1, c.relname) AS name
            FROM pg_catalog.pg_class c
            WHERE c.relnamespace = (SELECT oid FROM ns)
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND c.relname <> $2
              AND c.oid NOT IN (SELECT objid FROM not_extension)
        ),
        routines AS (
            SELECT p.oid, p.prokind, format('%I.%I(%s)', $1, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS name
            FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = (SELECT oid FROM ns)
              AND p.oid NOT IN (SELECT objid FROM not_extension)
        ),
        types AS (
            SELECT t.oid, t.typtype, format('%I.%I', $1, t.typname) AS name
            FROM pg_catalog.pg_type t
            LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
            WHERE t.typnamespace = (SELECT oid FROM ns)
              AND t.oid NOT IN (SELECT objid FROM not_extension)
              AND (t.typtype IN ('e', 'r', 'd') OR (t.typtype = 'c' AND c.relkind = 'c'))
        )
        SELECT 1 AS ord, 'DROP MATERIALIZED VIEW IF EXISTS ' || name || ' CASCADE' FROM rels WHERE relkind = 'm'
        UNION ALL SELECT 2, 'DROP VIEW IF EXISTS ' || name || ' CASCADE' FROM rels WHERE relkind = 'v'
        UNION ALL SELECT 3, 'DROP FOREIGN TABLE IF EXISTS ' || name || ' CASCADE' FROM rels WHERE relkind = 'f'
        UNION ALL SELECT 4, 'DROP TABLE IF EXISTS ' || name || ' CASCADE' FROM rels WHERE relkind IN ('r', 'p')
        UNION ALL SELECT 5, 'DROP SEQUENCE IF EXISTS ' || name || ' CASCADE' FROM rels WHERE relkind = 'S'
        UNION ALL SELECT 6, 'DROP AGGREGATE IF EXISTS ' || name || ' CASCADE' FROM routines WHERE prokind = 'a'
        UNION ALL SELECT 7, 'DROP ROUTINE IF EXISTS ' || name || ' CASCADE' FROM routines WHERE prokind IN ('f', 'p', 'w')
        UNION ALL SELECT 8, 'DROP DOMAIN IF EXISTS ' || name || ' CASCADE' FROM types WHERE typtype = 'd'
        UNION ALL SELECT 9, 'DROP TYPE IF EXISTS ' || name || ' CASCADE' FROM types WHERE typtype <> 'd'
        ORDER BY 1
        """;
}
