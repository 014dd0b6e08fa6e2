using MigrationKit.Diagnostics;

namespace MigrationKit.Running;

/// <summary>The logging scope around each script: its version, description and direction.</summary>
internal sealed class MigrationScope(long version, string description, MigrationDirection direction) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("MigrationVersion", version),
        1 => new("MigrationDescription", description),
        2 => new("MigrationDirection", direction),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{MigrationTelemetry.Lower(direction)} {version} {description}";
}
