namespace MigrationKit.Hosting;

/// <summary>What the start-up migration did, for the health check.</summary>
internal sealed class MigrationHealth
{
    private volatile Snapshot _current = new(MigrationHealthState.NotRun, null, null);

    public Snapshot Current => _current;

    public void Running() => _current = new Snapshot(MigrationHealthState.Running, null, null);

    public void Succeeded(MigrationReport report) => _current = new Snapshot(MigrationHealthState.Succeeded, report, null);

    public void Failed(Exception exception) => _current = new Snapshot(MigrationHealthState.Failed, null, exception);

    public void Canceled() => _current = new Snapshot(MigrationHealthState.NotRun, null, null);

    internal sealed record Snapshot(MigrationHealthState State, MigrationReport? Report, Exception? Error);
}

/// <summary>The states of <see cref="MigrationHealth"/>.</summary>
internal enum MigrationHealthState
{
    NotRun,
    Running,
    Succeeded,
    Failed,
}
