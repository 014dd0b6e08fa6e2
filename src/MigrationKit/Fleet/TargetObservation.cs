namespace MigrationKit.Fleet;

/// <summary>
/// What a fleet saw of one target's history across its attempts, through <see cref="ObservedStore"/>: the first read,
/// whether a later read differed (another process migrated it meanwhile), and what this process applied.
/// </summary>
internal sealed class TargetObservation
{
    private readonly object _gate = new();
    private bool _read;
    private int _count;
    private long? _newest;

    /// <summary>Gets the newest version of the first read, or <see langword="null"/> for none (or no read yet).</summary>
    public long? FirstVersion
    {
        get
        {
            lock (_gate)
            {
                return _newest;
            }
        }
    }

    /// <summary>Gets a value indicating whether a read after the first found another history than the first.</summary>
    public bool ChangedByAnother { get; private set; }

    /// <summary>Gets the versions this process applied, in order.</summary>
    public List<long> Applied { get; } = [];

    public void Saw(IReadOnlyList<AppliedVersion>? versions)
    {
        int count = versions?.Count ?? 0;
        long? newest = count == 0 ? null : versions!.Max(v => v.Version);
        lock (_gate)
        {
            if (!_read)
            {
                (_read, _count, _newest) = (true, count, newest);
                return;
            }

            if (Applied.Count == 0 && (count != _count || newest != _newest))
            {
                ChangedByAnother = true;
            }
        }
    }

    public void Applying(long version)
    {
        lock (_gate)
        {
            Applied.Add(version);
        }
    }
}
