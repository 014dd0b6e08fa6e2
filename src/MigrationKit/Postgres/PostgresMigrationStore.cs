using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationKit.Validation;
using Npgsql;

namespace MigrationKit.Postgres;

/// <summary>
/// The PostgreSQL store: the history table (by default <c>"public"."schema_migrations"</c>), a lock that serialises
/// every runner of that table (a session-level advisory lock on a direct connection, a lease row behind a pooler; see
/// <see cref="MigrationOptions.LockMode"/>), and scripts applied together with their history row.
/// </summary>
/// <remarks>
/// Built from <see cref="MigrationOptions.ConnectionString"/>, connections come from Npgsql's shared pool for that
/// connection string, so short-lived runners don't pay for a new physical connection each time. Built from an
/// <see cref="NpgsqlDataSource"/>, connections come from that data source, which the caller owns.
/// </remarks>
public sealed class PostgresMigrationStore : IMigrationStore
{
    private readonly NpgsqlDataSource? _dataSource;
    private readonly string _connectionString;
    private readonly MigrationOptions _options;
    private readonly HistorySql _sql;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly bool _setApplicationName;

    /// <summary>Creates a store that connects with <see cref="MigrationOptions.ConnectionString"/>.</summary>
    /// <param name="options">The options; <see cref="MigrationOptions.ConnectionString"/> must be set. They are copied.</param>
    /// <param name="logger">Where to log, or <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock for lock waits and retries, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public PostgresMigrationStore(MigrationOptions options, ILogger<PostgresMigrationStore>? logger = null, TimeProvider? timeProvider = null)
        : this((object?)null, options, logger, timeProvider)
    {
    }

    /// <summary>Creates a store that takes its connections from a data source.</summary>
    /// <param name="dataSource">The data source; the caller owns and disposes it.</param>
    /// <param name="options">The options; <see cref="MigrationOptions.ConnectionString"/> is ignored. They are copied.</param>
    /// <param name="logger">Where to log, or <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock for lock waits and retries, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public PostgresMigrationStore(NpgsqlDataSource dataSource, MigrationOptions options, ILogger<PostgresMigrationStore>? logger = null, TimeProvider? timeProvider = null)
        : this((object)dataSource ?? throw new ArgumentNullException(nameof(dataSource)), options, logger, timeProvider)
    {
    }

    private PostgresMigrationStore(object? dataSource, MigrationOptions options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource as NpgsqlDataSource;
        _options = options.Clone();
        IReadOnlyList<string> problems = MigrationOptionsChecks.Check(_options, requireConnectionString: _dataSource is null);
        if (problems.Count > 0)
        {
            throw new ArgumentException("The migration options are not valid: " + string.Join(" ", problems), nameof(options));
        }

        var builder = new NpgsqlConnectionStringBuilder(_dataSource?.ConnectionString ?? _options.ConnectionString);
        _setApplicationName = string.IsNullOrEmpty(builder.ApplicationName);
        if (_dataSource is null && _setApplicationName)
        {
            builder.ApplicationName = MigrationOptions.DefaultApplicationName;
            _setApplicationName = false;
        }

        _connectionString = _dataSource is null ? builder.ConnectionString : _dataSource.ConnectionString;
        _sql = new HistorySql(_options.Schema, _options.TableName);
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the quoted name of the history table, such as <c>"public"."schema_migrations"</c>.</summary>
    public string HistoryTable => _sql.QualifiedTable;

    /// <inheritdoc/>
    public async Task<IMigrationStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        NpgsqlConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var settings = new SessionSettings(_options, connection.PostgreSqlVersion, _setApplicationName);
        return new PostgresMigrationSession(connection, _options, _sql, settings, OpenConnectionAsync, _logger, _timeProvider);
    }

    /// <summary>Opens a connection, turning a failure into a message that says where and why, never with the password.</summary>
    private async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection connection = _dataSource?.CreateConnection() ?? new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (PostgresConnectionErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw PostgresConnectionErrors.Describe(ex, _connectionString);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
