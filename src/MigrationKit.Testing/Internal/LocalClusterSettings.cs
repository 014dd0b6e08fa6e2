namespace MigrationKit.Testing.Internal;

/// <summary>
/// How a local cluster is started. <paramref name="CreateDataDirectory"/>, when given, makes the data folder (its
/// argument, which does not exist yet) instead of the template or initdb, e.g. <c>pg_basebackup</c> for a standby, and
/// returns where it came from, for the log. <paramref name="SynchronousCommit"/> runs the server with
/// <c>synchronous_commit = on</c>, so a commit survives an immediate stop, instead of <c>off</c>. <paramref name="Root"/>
/// is the folder the cluster and its template go under, <see cref="ClusterRoot.Get"/> when <see langword="null"/>
/// (tests give a folder of their own, which no other test process cleans).
/// </summary>
internal sealed record LocalClusterSettings(
    TimeSpan StartTimeout,
    bool UseTemplate,
    Func<int> PortPicker,
    int OwnerProcessId,
    bool StartWatchdog,
    Func<string, CancellationToken, Task<string>>? CreateDataDirectory = null,
    bool SynchronousCommit = false,
    string? Root = null);
