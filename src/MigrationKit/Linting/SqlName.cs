namespace MigrationKit.Linting;

/// <summary>
/// A possibly schema-qualified name as PostgreSQL reads it: unquoted parts lower-cased (ASCII only, as the server
/// does), quoted parts as written.
/// </summary>
/// <param name="Schema">The schema, or <see langword="null"/> when the name is not qualified.</param>
/// <param name="Name">The object's name.</param>
internal readonly record struct SqlName(string? Schema, string Name)
{
    /// <summary>
    /// Gets the key lint tracks the object by: the name alone when it has no schema or the schema is <c>public</c>
    /// (the usual search path), else <c>schema.name</c>.
    /// </summary>
    public string Key => Schema is null || Schema == "public" ? Name : Schema + "." + Name;

    /// <summary>Gets the same name in the schema of another when it has none (an index lives in its table's schema).</summary>
    /// <param name="other">The name whose schema to take.</param>
    /// <returns>The name, qualified when it was not and the other is.</returns>
    public SqlName InSchemaOf(SqlName other) => Schema is null && other.Schema is not null ? this with { Schema = other.Schema } : this;

    /// <inheritdoc/>
    public override string ToString() => Key;
}
