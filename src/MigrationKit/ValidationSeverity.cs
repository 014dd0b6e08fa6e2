namespace MigrationKit;

/// <summary>How much a validation problem matters.</summary>
public enum ValidationSeverity
{
    /// <summary>Blocks every run until fixed.</summary>
    Error = 0,

    /// <summary>Worth a look; runs go ahead.</summary>
    Warning = 1,

    /// <summary>A note, such as a script that will run outside a transaction.</summary>
    Info = 2,
}
