namespace MigrationKit.Linting;

/// <summary>How much a lint finding matters, and, in configuration, whether a rule reports at all.</summary>
public enum LintSeverity
{
    /// <summary>The rule does not report (configuration only; a finding never carries it).</summary>
    Off = 0,

    /// <summary>A note: printed, never fails anything.</summary>
    Info = 1,

    /// <summary>A warning: printed, never fails anything (the default of every rule).</summary>
    Warning = 2,

    /// <summary>An error: <c>migrationkit lint</c> exits 1 and validation reports it as an error.</summary>
    Error = 3,
}
