namespace MigrationKit.Linting;

/// <summary>
/// What lint knows of the schema from the migrations read so far: tables (with the columns, types and constraints
/// it saw created), indexes, and functions with their volatility. A table the model has never seen is taken to
/// exist already, with nothing known about it.
/// </summary>
internal sealed class SchemaModel
{
    private readonly Dictionary<string, TableState> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _indexes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _volatileFunctions = new(StringComparer.Ordinal);

    public TableState? Find(SqlName name) => _tables.GetValueOrDefault(name.Key);

    /// <summary>Records a table (or materialized view) created by migration <paramref name="version"/>.</summary>
    public TableState Create(SqlName name, long version, bool inRun)
    {
        var table = new TableState(name, version, inRun);
        _tables[name.Key] = table;
        return table;
    }

    public void Drop(SqlName name)
    {
        if (_tables.Remove(name.Key))
        {
            foreach (string index in _indexes.Where(i => i.Value == name.Key).Select(i => i.Key).ToList())
            {
                _indexes.Remove(index);
            }
        }
    }

    public void Rename(TableState table, SqlName newName)
    {
        string oldKey = table.Name.Key;
        _tables.Remove(oldKey);
        table.Name = newName;
        _tables[newName.Key] = table;
        foreach (string index in _indexes.Where(i => i.Value == oldKey).Select(i => i.Key).ToList())
        {
            _indexes[index] = newName.Key;
        }
    }

    public void AddIndex(SqlName index, SqlName table) => _indexes[index.Key] = table.Key;

    /// <summary>Finds the table of an index the model saw created; <see langword="null"/> when unknown.</summary>
    public SqlName? FindIndexTable(SqlName index) =>
        _indexes.TryGetValue(index.Key, out string? table) ? (_tables.TryGetValue(table, out TableState? state) ? state.Name : Parse(table)) : null;

    public void DropIndex(SqlName index) => _indexes.Remove(index.Key);

    public void RenameIndex(SqlName index, SqlName newName)
    {
        if (_indexes.Remove(index.Key, out string? table))
        {
            _indexes[newName.InSchemaOf(index).Key] = table;
        }
    }

    public void DefineFunction(string name, bool isVolatile) => _volatileFunctions[name] = isVolatile;

    /// <summary>Whether the folder defined a function of that name as volatile (PostgreSQL's default).</summary>
    public bool IsVolatileFunction(string name) => _volatileFunctions.TryGetValue(name, out bool isVolatile) && isVolatile;

    private static SqlName Parse(string key)
    {
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new SqlName(null, key) : new SqlName(key[..dot], key[(dot + 1)..]);
    }
}

/// <summary>A table as lint tracks it.</summary>
internal sealed class TableState(SqlName name, long createdIn, bool createdInRun)
{
    public SqlName Name { get; set; } = name;

    /// <summary>Gets the version of the migration that created it.</summary>
    public long CreatedIn { get; } = createdIn;

    /// <summary>Gets a value indicating whether a migration of the run being linted created it (so it is empty when later ones run).</summary>
    public bool CreatedInRun { get; } = createdInRun;

    public bool IsPartitioned { get; set; }

    /// <summary>Gets the columns seen created, by name, with their type as written (null when not known).</summary>
    public Dictionary<string, ColumnType?> Columns { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the named constraints seen added.</summary>
    public Dictionary<string, ConstraintState> Constraints { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether, for migration <paramref name="version"/>, the table is new and so empty: created by that migration,
    /// or by one before it in the same run.
    /// </summary>
    public bool IsNewFor(long version, bool runView) => CreatedIn == version || (runView && CreatedInRun);
}

/// <summary>A named constraint as lint tracks it.</summary>
internal sealed class ConstraintState
{
    public required bool IsForeignKey { get; init; }

    /// <summary>Gets the column of a <c>CHECK (col IS NOT NULL)</c>, or null for any other constraint.</summary>
    public string? NotNullColumn { get; init; }

    public bool IsValidated { get; set; }

    /// <summary>Gets where it was added <c>NOT VALID</c>: the migration, its transaction segment and the line; null when added validated.</summary>
    public (long Version, int Segment, int Line)? AddedNotValid { get; init; }
}
