using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MigrationKit.Postgres;
using MigrationKit.Running;
using MigrationKit.Sources;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Template databases: one per set of migrations (and the options that shape the schema), named from a hash of
/// their checksums, migrated once and cloned with <c>CREATE DATABASE … TEMPLATE</c> for every throwaway database.
/// </summary>
/// <remarks>
/// A template is built under a database name of its own and renamed into place only when fully migrated, so a
/// template under its final name is always complete. Building takes an advisory lock in the maintenance database,
/// so several test processes asking for the same template at once build it once; within a process, callers share
/// one build. Changed migrations hash to another name, so a stale template is never reused.
/// </remarks>
internal sealed class DatabaseTemplates(
    string adminConnectionString,
    Func<string, string> connectionStringFor,
    bool fileCopy,
    ILogger logger)
{
    /// <summary>Marks, in a database's comment, what MigrationKit.Testing made; stale-database cleanup reads it.</summary>
    public const string CommentPrefix = "migrationkit.testing ";

    private const string TemplatePrefix = "mk_tpl_";

    /// <summary>Bumped when the template's contents would differ for the same migrations (a new history table format, say).</summary>
    private const char FormatVersion = '1';

    private static readonly TimeSpan BuildLockTimeout = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Lazy<Task>> builds = new(StringComparer.Ordinal);

    /// <summary>The template name for a set of migrations and the options that shape their schema.</summary>
    public static string NameFor(IReadOnlyList<Migration> migrations, MigrationOptions options)
    {
        var material = new StringBuilder()
            .Append("format=").Append(FormatVersion)
            .Append("\nschema=").Append(options.Schema)
            .Append("\ntable=").Append(options.TableName);
        foreach (var migration in migrations)
        {
            material.Append('\n').Append(migration.Version.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(migration.Description)
                .Append(' ').Append(migration.Up.Checksum)
                .Append(' ').Append(migration.Down?.Checksum ?? "-");
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(material.ToString()));
        return TemplatePrefix + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>Makes sure the template exists, building it (once, across processes) when it does not.</summary>
    public async Task EnsureAsync(string name, IReadOnlyList<Migration> migrations, Action<MigrationOptions>? configure, CancellationToken cancellationToken)
    {
        var build = builds.GetOrAdd(name, n => new Lazy<Task>(() => FindOrBuildAsync(n, migrations, configure)));
        try
        {
            await build.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (build.Value.IsFaulted)
        {
            // A failed build is not remembered: the next call tries again (after the migrations are fixed, say).
            builds.TryRemove(new KeyValuePair<string, Lazy<Task>>(name, build));
            throw;
        }
    }

    /// <summary>Clones the template into a new database.</summary>
    public async Task CloneAsync(string template, string database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(adminConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"CREATE DATABASE {DatabaseNames.Quote(database)} TEMPLATE {DatabaseNames.Quote(template)}{Strategy}", cancellationToken)
                .ConfigureAwait(false);

            // Not cancelled once the database exists: the comment is what lets a later run find it if this one dies.
            await ExecuteAsync(connection, $"COMMENT ON DATABASE {DatabaseNames.Quote(database)} IS '{OwnerComment("clone")}'", CancellationToken.None)
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops what crashed runs left behind: throwaway databases and unfinished templates whose owner process (on
    /// this machine) is gone, and templates built more than a day ago.
    /// </summary>
    public async Task CleanStaleAsync(CancellationToken cancellationToken)
    {
        var stale = new List<string>();
        var connection = new NpgsqlConnection(adminConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE $1",
                connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = CommentPrefix + "%" });
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (IsStale(reader.GetString(1)))
                        {
                            stale.Add(reader.GetString(0));
                        }
                    }
                }
            }

            foreach (var name in stale)
            {
                try
                {
                    await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {DatabaseNames.Quote(name)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
                    Log.StaleDatabaseDropped(logger, name);
                }
                catch (PostgresException exception)
                {
                    Log.DatabaseDropFailed(logger, name, exception);
                }
            }
        }
    }

    /// <summary>The comment that marks a database as made by this process.</summary>
    public static string OwnerComment(string kind) => string.Create(
        CultureInfo.InvariantCulture,
        $"{CommentPrefix}{kind} host={Environment.MachineName} pid={Environment.ProcessId} start={ProcessLiveness.CurrentStartTicks()}");

    private string Strategy => fileCopy ? " STRATEGY FILE_COPY" : string.Empty;

    private static bool IsStale(string comment)
    {
        var fields = comment[CommentPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? Field(string key) => fields.FirstOrDefault(f => f.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

        if (fields.Length > 0 && fields[0] == "template")
        {
            return DateTimeOffset.TryParse(Field("built"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var built)
                && DateTimeOffset.UtcNow - built > TimeSpan.FromDays(1);
        }

        // Clones and unfinished templates belong to a process; only this machine's dead processes can be judged.
        return Field("host") == Environment.MachineName
            && int.TryParse(Field("pid"), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(Field("start"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var start)
            && !ProcessLiveness.IsRunning(pid, start);
    }

    private async Task FindOrBuildAsync(string name, IReadOnlyList<Migration> migrations, Action<MigrationOptions>? configure)
    {
        using var timeout = new CancellationTokenSource(BuildLockTimeout);
        var cancellationToken = timeout.Token;
        var connection = new NpgsqlConnection(adminConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (await ExistsAsync(connection, name, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var key = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("migrationkit.testing template " + name)));
            while (!await TryLockAsync(connection, key, cancellationToken).ConfigureAwait(false))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }

            try
            {
                // Another process may have built it while we waited for the lock.
                if (!await ExistsAsync(connection, name, cancellationToken).ConfigureAwait(false))
                {
                    await BuildAsync(connection, name, migrations, configure, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({key.ToString(CultureInfo.InvariantCulture)})", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task BuildAsync(NpgsqlConnection connection, string name, IReadOnlyList<Migration> migrations, Action<MigrationOptions>? configure, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var building = name + "_b" + ClusterRoot.RandomHex(4);
        var quoted = DatabaseNames.Quote(building);
        await ExecuteAsync(connection, $"CREATE DATABASE {quoted} TEMPLATE template0{Strategy}", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"COMMENT ON DATABASE {quoted} IS '{OwnerComment("building")}'", cancellationToken).ConfigureAwait(false);
        try
        {
            var options = new MigrationOptions();
            configure?.Invoke(options);
            // No pooling: the database is renamed next, which PostgreSQL refuses while any session is connected to it.
            options.ConnectionString = new NpgsqlConnectionStringBuilder(connectionStringFor(building)) { Pooling = false }.ConnectionString;
            var runner = new MigrationRunner(
                new InMemoryMigrationSource(migrations),
                new PostgresMigrationStore(options),
                options);
            await runner.UpAsync(cancellationToken).ConfigureAwait(false);

            // The migrations' DDL invalidated the relation cache init file (pg_internal.init), and nobody connects to
            // a template to rebuild it: every clone's first connection would rebuild its own, which costs more than
            // the clone. One connection now writes it into the template, and clones copy it.
            await ServerQueries.ScalarAsync(options.ConnectionString, "SELECT 1", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"ALTER DATABASE {quoted} RENAME TO {DatabaseNames.Quote(name)}", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var final = DatabaseNames.Quote(name);
        await ExecuteAsync(connection, $"ALTER DATABASE {final} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false", cancellationToken).ConfigureAwait(false);
        var built = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await ExecuteAsync(connection, $"COMMENT ON DATABASE {final} IS '{CommentPrefix}template built={built} migrations={migrations.Count.ToString(CultureInfo.InvariantCulture)}'", cancellationToken)
            .ConfigureAwait(false);
        Log.TemplateBuilt(logger, name, migrations.Count, stopwatch.ElapsedMilliseconds);
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection) { BatchCommands = { new NpgsqlBatchCommand(sql) } };
        await using (batch.ConfigureAwait(false))
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
