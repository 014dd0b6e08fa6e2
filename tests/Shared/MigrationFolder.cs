using System.Globalization;

namespace MigrationKit.Tests.Shared;

/// <summary>A temporary folder of migration files, deleted when disposed.</summary>
public sealed class MigrationFolder : IDisposable
{
    public MigrationFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mk-migrations-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Gets the folder of the Planner sample's migrations, as shipped (copied beside the tests).</summary>
    public static string PlannerMigrations => System.IO.Path.Combine(AppContext.BaseDirectory, "Migrations", "Planner");

    /// <summary>A copy of the Planner migrations that a test may change.</summary>
    public static MigrationFolder Planner()
    {
        var folder = new MigrationFolder();
        foreach (string file in Directory.GetFiles(PlannerMigrations, "*.sql"))
        {
            System.IO.File.Copy(file, folder.File(System.IO.Path.GetFileName(file)));
        }

        return folder;
    }

    /// <summary>A copy of the Planner migrations, each wrapped in BEGIN; … COMMIT; as golang-migrate's templates write them.</summary>
    public static MigrationFolder GolangMigrateStylePlanner()
    {
        var folder = new MigrationFolder();
        foreach (string file in Directory.GetFiles(PlannerMigrations, "*.sql"))
        {
            folder.Write(System.IO.Path.GetFileName(file), "BEGIN;\n\n" + System.IO.File.ReadAllText(file) + "\nCOMMIT;\n");
        }

        return folder;
    }

    /// <summary>The full path of <paramref name="fileName"/> in this folder.</summary>
    public string File(string fileName) => System.IO.Path.Combine(Path, fileName);

    public MigrationFolder Write(string fileName, string text)
    {
        System.IO.File.WriteAllText(File(fileName), text);
        return this;
    }

    /// <summary>Writes <c>{version}_{description}.up.sql</c> (the version padded to <paramref name="digits"/>), and the down script when given.</summary>
    public MigrationFolder Up(long version, string description, string sql, string? down = null, int digits = 3)
    {
        string name = version.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + "_" + description;
        Write(name + ".up.sql", sql);
        if (down is not null)
        {
            Write(name + ".down.sql", down);
        }

        return this;
    }

    /// <summary>The names of the files in the folder, in ordinal order.</summary>
    public List<string> Files() =>
        [.. Directory.EnumerateFiles(Path).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

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
