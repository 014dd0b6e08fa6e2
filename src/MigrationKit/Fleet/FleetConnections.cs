using Npgsql;

namespace MigrationKit.Fleet;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> per database of a fleet (per connection string), pooled, shared by every target of
/// that database (its schemas), created on first use and disposed, closing its idle connections, as soon as the last of
/// its targets has ended: a fleet of 200 databases never holds 200 idle connections, and 1,000 schemas of one database
/// share a handful.
/// </summary>
/// <remarks>
/// Pooling is on whatever the connection string says (a fleet disposes its data sources itself), and the application
/// name is MigrationKit's unless the connection string gives one.
/// </remarks>
internal sealed class FleetConnections : IAsyncDisposable
{
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

        return NpgsqlDataSource.Create(builder);
    }

    private sealed class Entry
    {
        public NpgsqlDataSource? Source { get; set; }

        public int Remaining { get; set; }
    }
}
