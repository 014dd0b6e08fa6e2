namespace MigrationKit.Testing;

/// <summary>
/// One object that a down script did not restore: the schema after the down differs from the schema before the up in
/// this object. Objects are named by kind and schema-qualified, quoted name, such as
/// <c>index "tasks_status_idx" on "public"."tasks"</c> or <c>column "status" of "public"."tasks"</c>.
/// </summary>
public sealed record SchemaDifference
{
    /// <summary>Gets the object: its kind and quoted, schema-qualified name, such as <c>column "status" of "public"."tasks"</c>.</summary>
    public required string ObjectName { get; init; }

    /// <summary>Gets how the object differs.</summary>
    public required SchemaChange Change { get; init; }

    /// <summary>
    /// Gets the object's definition before the up script, as read from the catalog (names schema-qualified), or
    /// <see langword="null"/> when it did not exist; empty for an object that is only a name (a schema).
    /// </summary>
    public string? Before { get; init; }

    /// <summary>Gets the object's definition after the down script, or <see langword="null"/> when it is gone.</summary>
    public string? After { get; init; }

    /// <summary>
    /// Gets the difference as one line naming the object, such as
    /// <c>index "tasks_status_idx" on "public"."tasks" is missing after down</c>.
    /// </summary>
    public required string Message { get; init; }

    /// <summary>Returns <see cref="Message"/>.</summary>
    /// <returns>The difference as one line.</returns>
    public override string ToString() => Message;
}
