using Microsoft.Extensions.Logging;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// What <see cref="PostgresServer.StartAsync(PostgresServerOptions?, CancellationToken)"/> found while trying each kind
/// of server: why a kind was not used (logged at Information as it goes) and the exceptions of failed starts.
/// </summary>
internal sealed class SearchLog(ILogger logger)
{
    private readonly List<(PostgresServerKind Kind, string Reason)> reasons = [];
    private readonly List<Exception> failures = [];

    /// <summary>Gets the logger of the search.</summary>
    public ILogger Logger => logger;

    /// <summary>Gets why each kind tried so far was not used.</summary>
    public IReadOnlyList<(PostgresServerKind Kind, string Reason)> Reasons => reasons;

    /// <summary>Gets the exceptions of the starts that failed.</summary>
    public IReadOnlyList<Exception> Failures => failures;

    /// <summary>Records and logs that <paramref name="kind"/> is not used, and why.</summary>
    public void Skip(PostgresServerKind kind, string reason)
    {
        reasons.Add((kind, reason));
        Log.ServerKindSkipped(logger, kind, reason);
    }

    /// <summary>Records and logs that starting <paramref name="kind"/> failed.</summary>
    public void Fail(PostgresServerKind kind, Exception exception)
    {
        Log.ServerKindFailed(logger, kind, exception);
        failures.Add(exception);
        Skip(kind, "starting it failed: " + exception.Message);
    }

    /// <summary>Summarises the reasons so far, for the message that says which kind was chosen.</summary>
    public string Summary() => string.Join("; ", reasons.Select(r => $"{r.Kind}: {r.Reason}"));
}
