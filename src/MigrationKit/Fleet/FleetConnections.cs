using Npgsql;

namespace MigrationKit.Fleet;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> per database of a fleet (per connection string), pooled, shared by every target of
/// that database (its schemas), created on first use and disposed, closing its idle connections, as soon as the last of
/// its targets has ended: a fleet of 200 databases never holds 200 idle connections, and 1,000 schemas of one database
/// share a handful.
/// </summary>
/// <remarks>
/// <para>
/// Pooling is on whatever the connection string says (a fleet disposes its data sources itself), and the application
/// name is MigrationKit's unless the connection string gives one.
/// </para>
/// <para>
/// A pooled connection is replaced once it is <see cref="ServerProcessLifetimeSeconds"/> old (unless the connection
/// string sets <c>Connection Lifetime</c>): a PostgreSQL server process keeps a cache entry for every table, index and
/// type it has touched, and some of its end-of-transaction work walks that whole cache, so one process that ran the DDL
/// of hundreds of schema tenants gets slower with each one (measured: 30 ms a tenant at first, 120 ms after 270 of
/// them, on the Planner's migrations). Replacing it every few seconds keeps the cost per tenant flat, and costs one new
/// connection every few seconds per worker; a fleet with nothing to do finishes long before that.
/// </para>
/// </remarks>
internal sealed class FleetConnections : IAsyncDisposable
{
    /// <summary>How long a pooled connection serves targets before a new server process replaces it.</summary>
    internal const int ServerProcessLifetimeSeconds = 2;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public FleetConnections(IEnumerable<FleetTarget> targets)
    {
        foreach (FleetTarget target in targets)
        {
            if (!_entries.TryGetValue(target.ConnectionString, out Entry? entry))
            {
                entry = new Entry();
                _entries.Add(target.ConnectionString, entry);
            }

            entry.Remaining++;
        }
    }

    /// <summary>Gets the data source of a target's database.</summary>
    public NpgsqlDataSource Get(FleetTarget target)
    {
        lock (_entries)
        {
            Entry entry = _entries[target.ConnectionString];
            return entry.Source ??= Create(target.ConnectionString);
        }
    }

    /// <summary>Says a target has ended for good; the last one of a database disposes its data source.</summary>
    public async ValueTask ReleaseAsync(FleetTarget target)
    {
        NpgsqlDataSource? done = null;
        lock (_entries)
        {
            Entry entry = _entries[target.ConnectionString];
            if (--entry.Remaining == 0)
            {
                done = entry.Source;
                entry.Source = null;
            }
        }

        if (done is not null)
        {
            await done.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<NpgsqlDataSource> sources;
        lock (_entries)
        {
            sources = [.. _entries.Values.Where(e => e.Source is not null).Select(e => e.Source!)];
            foreach (Entry entry in _entries.Values)
            {
                entry.Source = null;
            }
        }

        foreach (NpgsqlDataSource source in sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = MigrationOptions.DefaultApplicationName;
        }

        // NpgsqlConnectionStringBuilder answers for every keyword; the text holds only those given.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Connection Lifetime") && !given.ContainsKey("ConnectionLifetime") && !given.ContainsKey("Load Balance Timeout"))
        {
            builder.ConnectionLifetime = ServerProcessLifetimeSeconds;
        }

        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        dataSource.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        return dataSource.Build();
    }

    private sealed class Entry
    {
        public NpgsqlDataSource? Source { get; set; }

        public int Remaining { get; set; }
    }
}
