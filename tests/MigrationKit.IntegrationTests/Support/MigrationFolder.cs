namespace MigrationKit.IntegrationTests.Support;

/// <summary>A temporary folder of migration files, deleted when disposed.</summary>
public sealed class MigrationFolder : IDisposable
{
    public MigrationFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mk-migrations-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The Planner sample's ten migrations, as shipped.</summary>
    public static string PlannerMigrations => System.IO.Path.Combine(AppContext.BaseDirectory, "Migrations", "Planner");

    public MigrationFolder Write(string fileName, string text)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), text);
        return this;
    }

    public MigrationFolder Up(long version, string description, string sql, string? down = null, int digits = 3)
    {
        string name = version.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0') + "_" + description;
        Write(name + ".up.sql", sql);
        if (down is not null)
        {
            Write(name + ".down.sql", down);
        }

        return this;
    }

    /// <summary>Copies the Planner migrations, each wrapped in BEGIN; … COMMIT; as golang-migrate's templates write them.</summary>
    public static MigrationFolder GolangMigrateStylePlanner()
    {
        var folder = new MigrationFolder();
        foreach (string file in Directory.GetFiles(PlannerMigrations, "*.sql"))
        {
            folder.Write(System.IO.Path.GetFileName(file), "BEGIN;\n\n" + File.ReadAllText(file) + "\nCOMMIT;\n");
        }

        return folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
