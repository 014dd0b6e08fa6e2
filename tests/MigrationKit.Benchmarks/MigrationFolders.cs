using System.Globalization;
using System.Text;

namespace MigrationKit.Benchmarks;

/// <summary>
/// Generates the migrations every tool runs: N small, realistic DDL migrations (a table with an identity primary key,
/// a few columns and an index, and its down script) in golang-migrate's layout, plus a Flyway-named copy of the up
/// scripts for Evolve, and a large seed-data migration for the memory scenario.
/// </summary>
internal sealed class MigrationFolders
{
    private MigrationFolders(string root, int count, int width)
    {
        Root = root;
        Count = count;
        Width = width;
        GolangMigrate = Path.Combine(root, "golang-migrate");
        Flyway = Path.Combine(root, "flyway");
    }

    /// <summary>Gets the folder holding both layouts.</summary>
    public string Root { get; }

    /// <summary>Gets the number of migrations.</summary>
    public int Count { get; }

    /// <summary>Gets the zero-padded width of the versions, so that name order is version order for DbUp.</summary>
    public int Width { get; }

    /// <summary>Gets the folder of <c>{version}_{description}.up.sql</c> / <c>.down.sql</c> files (MigrationKit, DbUp, the floor).</summary>
    public string GolangMigrate { get; }

    /// <summary>Gets the folder of <c>V{version}__{description}.sql</c> files (Evolve).</summary>
    public string Flyway { get; }

    /// <summary>Writes <paramref name="count"/> migrations under <paramref name="root"/>.</summary>
    public static MigrationFolders Create(string root, int count)
    {
        int width = Math.Max(5, count.ToString(CultureInfo.InvariantCulture).Length);
        var folders = new MigrationFolders(root, count, width);
        Directory.CreateDirectory(folders.GolangMigrate);
        Directory.CreateDirectory(folders.Flyway);
        for (int version = 1; version <= count; version++)
        {
            string v = folders.Version(version);
            string table = TableName(v);
            string up = UpScript(table, version);
            File.WriteAllText(Path.Combine(folders.GolangMigrate, $"{v}_create_{table}.up.sql"), up);
            File.WriteAllText(Path.Combine(folders.GolangMigrate, $"{v}_create_{table}.down.sql"), $"DROP TABLE {table};\n");
            File.WriteAllText(Path.Combine(folders.Flyway, $"V{v}__create_{table}.sql"), up);
        }

        return folders;
    }

    /// <summary>The prefix of every table the generated migrations create.</summary>
    public const string TablePrefix = "bench_";

    /// <summary>Gets the zero-padded text of a version.</summary>
    public string Version(int version) => version.ToString(CultureInfo.InvariantCulture).PadLeft(Width, '0');

    /// <summary>
    /// Writes a two-migration folder for the memory scenario: a table, then a seed script of about
    /// <paramref name="megabytes"/> MB of single-row INSERTs into it. Returns the seed script's size in bytes and
    /// the number of rows it inserts.
    /// </summary>
    public static (long Bytes, long Rows) CreateSeedFolder(string folder, int megabytes)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "001_create_seed_rows.up.sql"), """
            CREATE TABLE seed_rows (
                id bigint PRIMARY KEY,
                sku text NOT NULL,
                name text NOT NULL,
                price numeric(12,2) NOT NULL,
                created_at timestamptz NOT NULL
            );
            """);
        File.WriteAllText(Path.Combine(folder, "001_create_seed_rows.down.sql"), "DROP TABLE seed_rows;\n");

        string seed = Path.Combine(folder, "002_seed_rows.up.sql");
        long rows = 0;
        long target = megabytes * 1024L * 1024L;
        using (var writer = new StreamWriter(seed, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16))
        {
            writer.NewLine = "\n";
            writer.WriteLine("-- Generated seed data: one INSERT per row.");
            long written = 0;
            var line = new StringBuilder(200);
            for (long id = 1; written < target; id++, rows++)
            {
                line.Clear();
                line.Append(CultureInfo.InvariantCulture,
                    $"INSERT INTO seed_rows (id, sku, name, price, created_at) VALUES ({id}, 'SKU-{id:D10}', 'Seed item number {id} with a name long enough to look real', {id % 100000}.{id % 100:D2}, '2026-01-01 00:00:00+00');");
                writer.WriteLine(line);
                written += line.Length + 1;
            }
        }

        File.WriteAllText(Path.Combine(folder, "002_seed_rows.down.sql"), "DELETE FROM seed_rows;\n");
        return (new FileInfo(seed).Length, rows);
    }

    private static string TableName(string version) => TablePrefix + version;

    private static string UpScript(string table, int version) => $"""
        -- Migration {version}: the {table} table.
        CREATE TABLE {table} (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL,
            amount numeric(12,2) NOT NULL DEFAULT 0,
            status smallint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX {table}_created_at_idx ON {table} (created_at);

        """;
}
