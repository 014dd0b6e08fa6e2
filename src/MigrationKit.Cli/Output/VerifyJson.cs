using System.Text.Json.Serialization;

namespace MigrationKit.Cli.Output;

/// <summary>What <c>verify --json</c> writes: the run, then one entry per migration. The field names are a contract.</summary>
internal sealed record VerifyJson(
    bool Verified,
    string Source,
    string? Server,
    string? ServerVersion,
    long DurationMs,
    VerifyCountsJson Counts,
    IReadOnlyList<VerifyMigrationJson> Migrations);

/// <summary>How many migrations ended each way.</summary>
internal sealed record VerifyCountsJson(int Verified, int UpOnly, int SchemaDiffers, int Failed, int NotRun);

/// <summary>
/// One migration: <c>result</c> is <c>verified</c>, <c>upOnly</c>, <c>schemaDiffers</c>, <c>failed</c> or
/// <c>notRun</c>; a duration is null when its step did not run or did not complete.
/// </summary>
internal sealed record VerifyMigrationJson(
    long Version,
    string Description,
    string Result,
    string Up,
    string? Down,
    double? UpMs,
    double? DownMs,
    double? ReUpMs,
    IReadOnlyList<VerifyDifferenceJson> Differences,
    VerifyErrorJson? Error);

/// <summary>One object the down script did not restore; <c>change</c> is <c>missing</c>, <c>added</c> or <c>changed</c>.</summary>
internal sealed record VerifyDifferenceJson(string Object, string Change, string? Before, string? After, string Message);

/// <summary>The script that failed: <c>step</c> is <c>up</c>, <c>down</c> or <c>reUp</c>.</summary>
internal sealed record VerifyErrorJson(string Step, string File, int? Line, int? Column, string? SqlState, string Message);

/// <summary>System.Text.Json source generation for <see cref="VerifyJson"/>: no reflection, safe under trimming and Native AOT.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VerifyJson))]
internal sealed partial class VerifyJsonContext : JsonSerializerContext
{
}
