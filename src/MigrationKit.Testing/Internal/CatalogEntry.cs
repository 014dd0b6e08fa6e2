namespace MigrationKit.Testing.Internal;

/// <summary>
/// One object of a <see cref="CatalogSnapshot"/>: who it is, what it is, and the object it belongs to.
/// </summary>
/// <param name="Identity">
/// The object's kind and schema-qualified, quoted name, unique in a snapshot: <c>table "public"."tasks"</c>,
/// <c>column "status" of "public"."tasks"</c>, <c>index "tasks_status_idx" on "public"."tasks"</c>,
/// <c>function "public"."f"(integer)</c>, <c>comment on table "public"."tasks"</c>.
/// </param>
/// <param name="Definition">
/// What PostgreSQL says the object is, normalised (names schema-qualified, no OIDs, no current values); empty for
/// objects that are only a name (a schema). Functions and views span several lines.
/// </param>
/// <param name="Parent">
/// The identity of the object this one belongs to (a column's table, a table's schema, a comment's object), or
/// <see langword="null"/>. A difference whose parent has the same difference is not reported on its own.
/// </param>
internal sealed record CatalogEntry(string Identity, string Definition, string? Parent)
{
    /// <summary>Returns the entry as text: the identity, then the definition (continuation lines indented).</summary>
    public override string ToString() =>
        Definition.Length == 0 ? Identity : Identity + ": " + Definition.Replace("\n", "\n    ", StringComparison.Ordinal);
}
