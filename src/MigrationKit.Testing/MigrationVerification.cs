using System.Globalization;
using System.Text;

namespace MigrationKit.Testing;

/// <summary>
/// What <see cref="PostgresServer.VerifyAsync"/> found for one migration: whether its up script ran, whether its down
/// script restored the schema exactly (and if not, every difference), whether its up script ran again after the down,
/// and how long each took.
/// </summary>
public sealed record MigrationVerification
{
    /// <summary>Gets the migration's version.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the migration's description.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the up script's file or resource.</summary>
    public required string UpOrigin { get; init; }

    /// <summary>Gets the down script's file or resource, or <see langword="null"/> when the migration has none.</summary>
    public string? DownOrigin { get; init; }

    /// <summary>Gets what was found.</summary>
    public required VerificationOutcome Outcome { get; init; }

    /// <summary>Gets how long the up script took (its history row included), or <see langword="null"/> when it did not complete.</summary>
    public TimeSpan? UpDuration { get; init; }

    /// <summary>Gets how long the down script took, or <see langword="null"/> when it did not run or did not complete.</summary>
    public TimeSpan? DownDuration { get; init; }

    /// <summary>Gets how long the up script took the second time, or <see langword="null"/> when it did not run or did not complete.</summary>
    public TimeSpan? ReUpDuration { get; init; }

    /// <summary>
    /// Gets how the schema after the down script differs from the schema before the up script, object by object, sorted
    /// by object; empty when the down restored it (or did not run). An object inside a missing or added object (a
    /// column of a missing table) is not listed on its own.
    /// </summary>
    public IReadOnlyList<SchemaDifference> Differences { get; init; } = [];

    /// <summary>Gets the step that failed, or <see langword="null"/> when none did.</summary>
    public VerificationStep? FailedStep { get; init; }

    /// <summary>
    /// Gets the failure of <see cref="FailedStep"/>, which names the file, the line and column, the SQLSTATE and the
    /// server's message, or <see langword="null"/> when nothing failed.
    /// </summary>
    public MigrationFailedException? Failure { get; init; }

    /// <summary>Gets a value indicating whether nothing was found wrong: <see cref="VerificationOutcome.Verified"/> or <see cref="VerificationOutcome.UpOnly"/>.</summary>
    public bool IsVerified => Outcome is VerificationOutcome.Verified or VerificationOutcome.UpOnly;

    /// <summary>
    /// Returns the migration's line (version, description, outcome, timings), followed by one indented line per
    /// difference and the failure, if any.
    /// </summary>
    /// <returns>The verification as text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Version} {Description}: ");
        text.Append(Outcome switch
        {
            VerificationOutcome.Verified => "verified",
            VerificationOutcome.UpOnly => "up only (no down script)",
            VerificationOutcome.SchemaDiffers => "the down script does not restore the schema",
            VerificationOutcome.Failed => $"{Step(FailedStep)} failed",
            _ => "not run (an earlier migration failed)",
        });
        var timings = new List<string>(3);
        AddTiming(timings, "up", UpDuration);
        AddTiming(timings, "down", DownDuration);
        AddTiming(timings, "re-up", ReUpDuration);
        if (timings.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", timings).Append(')');
        }

        foreach (var difference in Differences)
        {
            text.Append("\n    ").Append(difference.Message);
        }

        if (Failure is not null)
        {
            text.Append("\n    ").Append(Failure.Message);
        }

        return text.ToString();
    }

    /// <summary>Names a step as the reports do: up, down, re-up.</summary>
    internal static string Step(VerificationStep? step) => step switch
    {
        VerificationStep.Down => "down",
        VerificationStep.ReUp => "re-up",
        _ => "up",
    };

    private static void AddTiming(List<string> timings, string name, TimeSpan? duration)
    {
        if (duration is { } value)
        {
            timings.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value.TotalMilliseconds:0.0} ms"));
        }
    }
}
