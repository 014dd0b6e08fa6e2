using System.Globalization;
using System.Text;

namespace MigrationKit.Testing;

/// <summary>
/// What <see cref="PostgresServer.VerifyAsync"/> found: for each migration in version order, whether its up script
/// runs, whether its down script restores the schema exactly, and whether its up script runs again after the down.
/// </summary>
public sealed record VerificationReport
{
    /// <summary>Gets one entry per migration of the source, in version order.</summary>
    public required IReadOnlyList<MigrationVerification> Migrations { get; init; }

    /// <summary>Gets how long the verification took: the throwaway database, every script and every catalog comparison.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets the version of the server the migrations ran on (major.minor).</summary>
    public required Version ServerVersion { get; init; }

    /// <summary>
    /// Gets a value indicating whether every migration verified: each up script ran, each down script restored the
    /// schema and the up script ran again (migrations without a down script count when their up script ran).
    /// </summary>
    public bool IsVerified => Migrations.All(m => m.IsVerified);

    /// <summary>Returns one line per migration (with its differences and failure) and a summary line.</summary>
    /// <returns>The report as text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var migration in Migrations)
        {
            text.Append(migration).Append('\n');
        }

        var verified = Migrations.Count(m => m.IsVerified);
        text.Append(CultureInfo.InvariantCulture, $"{verified} of {Migrations.Count} migration(s) verified on PostgreSQL {ServerVersion} in {Duration.TotalMilliseconds:0} ms");
        return text.ToString();
    }
}
