using System.Globalization;

namespace MigrationKit.Sql;

/// <summary>A 1-based line and column in a script; the column counts Unicode code points, a tab counts as one.</summary>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column, in code points.</param>
internal readonly record struct SqlPosition(int Line, int Column)
{
    /// <summary>Returns the position as people read it: <c>line 3, column 7</c>.</summary>
    /// <returns>The position as text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}, column {Column}");
}
