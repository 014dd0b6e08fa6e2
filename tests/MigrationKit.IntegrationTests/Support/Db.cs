using Npgsql;

namespace MigrationKit.IntegrationTests.Support;

/// <summary>Small queries tests use to look at a database from the outside.</summary>
public static class Db
{
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters) =>
        (T)(await QueryScalarAsync(connectionString, sql, parameters))!;

    /// <summary>A scalar that may be SQL NULL.</summary>
    public static async Task<T?> ScalarOrNullAsync<T>(string connectionString, string sql, params object[] parameters)
        where T : struct =>
        await QueryScalarAsync(connectionString, sql, parameters) is { } result and not DBNull ? (T)result : null;

    private static async Task<object?> QueryScalarAsync(string connectionString, string sql, object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        return await command.ExecuteScalarAsync();
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The tables of a schema, sorted.</summary>
    public static async Task<List<string>> TablesAsync(string connectionString, string schema = "public")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The history rows as (version, dirty) pairs.</summary>
    public static async Task<List<(long Version, bool Dirty)>> HistoryAsync(string connectionString, string table = "\"public\".\"schema_migrations\"")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT version, dirty FROM {table} ORDER BY version", connection);
        var rows = new List<(long, bool)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
        }

        return rows;
    }

    /// <summary>A description of every object of a schema (columns, constraints, indexes, functions, triggers), to compare two schemas.</summary>
    public static async Task<List<string>> CatalogAsync(string connectionString, string schema = "public")
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = $1 AND table_name <> 'schema_migrations'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = $1::regnamespace AND conrelid::regclass::text <> 'schema_migrations'
            UNION ALL
            SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename <> 'schema_migrations'
            UNION ALL
            SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
            UNION ALL
            SELECT 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = $1::regnamespace AND NOT t.tgisinternal
            ORDER BY 1
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
