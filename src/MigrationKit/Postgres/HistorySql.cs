namespace MigrationKit.Postgres;

/// <summary>
/// Every statement the store sends, in one place. Identifiers come in quoted by <see cref="PostgresIdentifier"/>;
/// values are always positional parameters (<c>$1</c>), which Npgsql sends as they are.
/// </summary>
internal sealed class HistorySql
{
    public HistorySql(string schema, string table)
    {
        Schema = schema;
        Table = table;
        QuotedSchema = PostgresIdentifier.Quote(schema);
        QualifiedTable = PostgresIdentifier.Quote(schema, table);

        ReadHistory = $"SELECT version, description, checksum, dirty, applied_at, execution_ms, applied_by FROM {QualifiedTable} ORDER BY version";

        // Names a column that golang-migrate's (version, dirty) table lacks, so that table fails here as it fails
        // ReadHistory, and the full path adopts it; applied_by is never null, so no row is left out.
        ReadVersions = $"SELECT version, dirty FROM {QualifiedTable} WHERE applied_by IS NOT NULL";

        CreateTable = $"""
            CREATE TABLE IF NOT EXISTS {QualifiedTable} (
                version bigint NOT NULL PRIMARY KEY,
                description text NOT NULL,
                checksum text NULL,
                dirty boolean NOT NULL DEFAULT false,
                applied_at timestamptz NOT NULL DEFAULT now(),
                execution_ms bigint NULL,
                applied_by text NOT NULL DEFAULT current_user
            )
            """;

        CreateSchema = $"CREATE SCHEMA IF NOT EXISTS {QuotedSchema}";

        // In the same transaction as the script: execution_ms is the server's time since BEGIN.
        InsertApplied = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty, execution_ms)
            VALUES ($1, $2, $3, false, (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)
            """;

        DeleteVersion = $"DELETE FROM {QualifiedTable} WHERE version = $1";

        MarkDirtyForUp = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty)
            VALUES ($1, $2, $3, true)
            ON CONFLICT (version) DO UPDATE SET dirty = true, checksum = excluded.checksum, description = excluded.description
            """;

        MarkDirty = $"UPDATE {QualifiedTable} SET dirty = true WHERE version = $1";

        ClearDirty = $"UPDATE {QualifiedTable} SET dirty = false, execution_ms = $2, applied_at = now() WHERE version = $1";

        ForceDeleteAbove = $"DELETE FROM {QualifiedTable} WHERE version > $1";

        ForceClearDirty = $"UPDATE {QualifiedTable} SET dirty = false WHERE dirty";

        ForceInsert = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty)
            VALUES ($1, $2, $3, false)
            ON CONFLICT (version) DO NOTHING
            """;

        InsertMany = $"""
            INSERT INTO {QualifiedTable} (version, description, checksum, dirty)
            SELECT v, d, c, x FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[]) AS r(v, d, c, x)
            """;

        ReadGolangMigrateVersion = $"SELECT version, dirty FROM {QualifiedTable}";

        UpgradeGolangMigrateTable = $"""
            ALTER TABLE {QualifiedTable}
                ADD COLUMN description text NOT NULL DEFAULT '',
                ADD COLUMN checksum text NULL,
                ADD COLUMN applied_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN execution_ms bigint NULL,
                ADD COLUMN applied_by text NOT NULL DEFAULT current_user
            """;

        DropDescriptionDefault = $"ALTER TABLE {QualifiedTable} ALTER COLUMN description DROP DEFAULT";

        DeleteAll = $"DELETE FROM {QualifiedTable}";
    }

    public string Schema { get; }

    public string Table { get; }

    public string QuotedSchema { get; }

    public string QualifiedTable { get; }

    public string ReadHistory { get; }

    /// <summary>Only what a start-up needs to tell that nothing is pending: the versions and their dirty flags.</summary>
    public string ReadVersions { get; }

    public string CreateSchema { get; }

    public string CreateTable { get; }

    public string InsertApplied { get; }

    public string DeleteVersion { get; }

    public string MarkDirtyForUp { get; }

    public string MarkDirty { get; }

    public string ClearDirty { get; }

    public string ForceDeleteAbove { get; }

    public string ForceClearDirty { get; }

    public string ForceInsert { get; }

    public string InsertMany { get; }

    public string ReadGolangMigrateVersion { get; }

    public string UpgradeGolangMigrateTable { get; }

    public string DropDescriptionDefault { get; }

    public string DeleteAll { get; }

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

    public const string TryLock = "SELECT pg_catalog.pg_try_advisory_lock($1)";

    public const string Unlock = "SELECT pg_catalog.pg_advisory_unlock($1)";

    /// <summary>Who holds an advisory lock: $1 = high 32 bits (classid), $2 = low 32 bits (objid), as bigint (Npgsql writes no uint).</summary>
    public const string LockHolder = """
        SELECT a.pid, a.application_name, a.usename::text, a.backend_start, a.state, a.state_change
        FROM pg_catalog.pg_locks l
        JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
        LIMIT 1
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

    /// <summary>
    /// One DROP statement per object of schema $1, in an order where CASCADE and IF EXISTS make each one safe:
    /// views first, then tables (their sequences, indexes, triggers go with them), sequences, routines,
    /// aggregates, types and domains. Members of extensions are left alone. Names are quoted by the server.
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
