namespace MigrationKit.Fleet;

/// <summary>The totals of a fleet run.</summary>
public sealed record FleetSummary
{
    /// <summary>Gets the number of targets.</summary>
    public int Targets { get; init; }

    /// <summary>Gets the number of servers the targets are on.</summary>
    public int Servers { get; init; }

    /// <summary>Gets the number of targets this process applied migrations to.</summary>
    public int Applied { get; init; }

    /// <summary>Gets the number of targets that were up to date.</summary>
    public int UpToDate { get; init; }

    /// <summary>Gets the number of targets another process migrated.</summary>
    public int DoneByAnother { get; init; }

    /// <summary>Gets the number of targets that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Gets the number of targets not run.</summary>
    public int Skipped { get; init; }

    /// <summary>Gets the number of targets cancelled while they ran.</summary>
    public int Cancelled { get; init; }

    /// <summary>Gets how many migrations this process applied in all.</summary>
    public int MigrationsApplied { get; init; }

    /// <summary>Gets how many targets ran at once, at most.</summary>
    public int Parallelism { get; init; }

    /// <summary>Gets how many targets of one server ran at once, at most.</summary>
    public int MaxPerServer { get; init; }

    /// <summary>Gets how long the whole fleet took.</summary>
    public TimeSpan Duration { get; init; }
}
