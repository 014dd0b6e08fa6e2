namespace MigrationKit.Fleet;

/// <summary>Every statement target discovery sends, in one place; the pattern is always a parameter.</summary>
internal static class FleetSql
{
    /// <summary>The databases matching a <c>LIKE</c> pattern that accept connections and are not templates.</summary>
    public const string Databases = """
        SELECT datname FROM pg_catalog.pg_database
        WHERE datname LIKE $1 AND NOT datistemplate AND datallowconn
        ORDER BY datname
        """;

    /// <summary>The schemas matching a <c>LIKE</c> pattern, without PostgreSQL's own (<c>pg_*</c>, <c>information_schema</c>).</summary>
    public const string Schemas = """
        SELECT nspname FROM pg_catalog.pg_namespace
        WHERE nspname LIKE $1 AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
        ORDER BY nspname
        """;
}
