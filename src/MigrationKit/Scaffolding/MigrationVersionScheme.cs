namespace MigrationKit.Scaffolding;

/// <summary>How <see cref="MigrationScaffolder"/> numbers a new migration.</summary>
public enum MigrationVersionScheme
{
    /// <summary>The newest version of the folder plus one, written with the folder's digit width (<c>011</c>).</summary>
    Sequential = 0,

    /// <summary>The current UTC time as <c>yyyyMMddHHmmss</c> (<c>20261124143000</c>).</summary>
    Timestamp = 1,
}
