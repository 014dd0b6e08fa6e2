using System.Globalization;

namespace MigrationKit.Cli.Tests.Support;

/// <summary>A temporary folder of migration files, deleted when disposed.</summary>
public sealed class MigrationFolder : IDisposable
{
    public MigrationFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mk-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The Planner sample's ten migrations, as shipped.</summary>
    public static string PlannerMigrations => System.IO.Path.Combine(AppContext.BaseDirectory, "Migrations", "Planner");

    /// <summary>A copy of the Planner migrations that a test may change.</summary>
    public static MigrationFolder Planner()
    {
        var folder = new MigrationFolder();
        foreach (string file in Directory.GetFiles(PlannerMigrations, "*.sql"))
        {
            System.IO.File.Copy(file, System.IO.Path.Combine(folder.Path, System.IO.Path.GetFileName(file)));
        }

        return folder;
    }

    public string File(string fileName) => System.IO.Path.Combine(Path, fileName);

    public MigrationFolder Write(string fileName, string text)
    {
        System.IO.File.WriteAllText(File(fileName), text);
        return this;
    }

    public MigrationFolder Up(long version, string description, string sql, string? down = null)
    {
        string name = version.ToString(CultureInfo.InvariantCulture).PadLeft(3, '0') + "_" + description;
        Write(name + ".up.sql", sql);
        if (down is not null)
        {
            Write(name + ".down.sql", down);
        }

        return this;
    }

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
