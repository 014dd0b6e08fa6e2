namespace MigrationKit.Testing;

/// <summary>How an object of the schema after a down script differs from the same object before the up script.</summary>
public enum SchemaChange
{
    /// <summary>The object existed before the up script and is gone after the down script.</summary>
    Missing,

    /// <summary>The object did not exist before the up script and is there after the down script.</summary>
    Added,

    /// <summary>The object exists in both, with another definition.</summary>
    Changed,
}
