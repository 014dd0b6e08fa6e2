namespace MigrationKit.Scaffolding;

/// <summary>How <see cref="MigrationScaffolder"/> names a new migration.</summary>
public sealed class MigrationScaffoldOptions
{
    /// <summary>The digit width of a sequential version in a folder that has no migration yet.</summary>
    public const int DefaultDigits = 3;

    /// <summary>Gets or sets how the version is chosen.</summary>
    /// <value>The default is <see cref="MigrationVersionScheme.Sequential"/>.</value>
    public MigrationVersionScheme Scheme { get; set; } = MigrationVersionScheme.Sequential;

    /// <summary>
    /// Gets or sets the digit width of a sequential version (zero-padded), or <see langword="null"/> to keep the
    /// width of the folder's newest migration (<see cref="DefaultDigits"/> in a folder without one). A version that
    /// needs more digits gets them. Ignored for <see cref="MigrationVersionScheme.Timestamp"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>; when set it must be between 1 and 19.</value>
    public int? Digits { get; set; }
}
