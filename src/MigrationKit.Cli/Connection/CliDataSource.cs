using Npgsql;

namespace MigrationKit.Cli.Connection;

/// <summary>
/// The tool's Npgsql data source: Npgsql's slim builder with only what the engine's queries and a user's connection
/// need, so the native binary carries no more of Npgsql than that, and a command's one connection starts fast.
/// </summary>
internal static class CliDataSource
{
    /// <summary>Builds the data source for one command; the caller disposes it.</summary>
    public static NpgsqlDataSource Create(DatabaseTarget database)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(database.ConnectionString);

        // Named in the start-up packet, as the engine names the connections it opens from a connection string; a
        // data source would otherwise cost every session a SET application_name.
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = MigrationOptions.DefaultApplicationName;
        }

        // The engine reads and writes only built-in types (bigint, integer, text, boolean, timestamptz and their
        // arrays), which Npgsql knows without asking the server. Loading the database's types is a query over pg_type
        // on every new connection string, about 10 ms of a 20 ms no-op `up`; a script's own results are never read.
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));

        // The history is written with unnest($1::bigint[], $2::text[], …) and the table check reads a text[].
        builder.EnableArrays();

        // sslmode=require/verify-ca/verify-full, and prefer (Npgsql's default) against a server that offers TLS.
        builder.EnableTransportSecurity();

        // Kerberos (GSSAPI) logins and GSS encryption, as Npgsql's full data source allows them.
        builder.EnableIntegratedSecurity();
        return builder.Build();
    }
}
