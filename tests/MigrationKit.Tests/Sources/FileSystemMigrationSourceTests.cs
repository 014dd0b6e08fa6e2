using System.Text;
using MigrationKit.Sources;

namespace MigrationKit.Tests.Sources;

public sealed class FileSystemMigrationSourceTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mk-src-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Migrations_come_back_ordered_with_their_down_scripts_and_origins()
    {
        Write("010_c.up.sql", "SELECT 10;");
        Write("2_b.up.sql", "SELECT 2;");
        Write("001_a.up.sql", "SELECT 1;");
        Write("001_a.down.sql", "SELECT -1;");
        Write("README.md", "ignored");

        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(_dir).LoadAsync();

        migrations.Select(m => m.Version).Should().Equal(1, 2, 10);
        migrations[0].Description.Should().Be("a");
        migrations[0].Down!.Sql.Should().Be("SELECT -1;");
        migrations[0].Up.Origin.Should().Be(Path.Combine(_dir, "001_a.up.sql"));
        migrations[1].Down.Should().BeNull();
    }

    [Test]
    public async Task A_bom_and_crlf_line_endings_do_not_change_text_or_checksum()
    {
        Write("1_lf.up.sql", "CREATE TABLE a (\n  id int\n);\n");
        File.WriteAllBytes(Path.Combine(_dir, "2_crlf.up.sql"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("CREATE TABLE a (\r\n  id int\r\n);\r\n")]);

        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(_dir).LoadAsync();

        migrations[1].Up.Sql.Should().Be(migrations[0].Up.Sql);
        migrations[1].Up.Checksum.Should().Be(migrations[0].Up.Checksum);
        migrations[0].Up.Checksum.Should().Be(MigrationScript.ComputeChecksum("CREATE TABLE a (\r\n  id int\r\n);\r\n"));
        migrations[0].Up.Checksum.Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Test]
    public async Task Every_problem_of_the_folder_is_reported_at_once()
    {
        Write("001_a.up.sql", "SELECT 1;");
        Write("create_things.sql", "SELECT 1;");
        Write("002_b.up.sql", "SELECT 2;");
        Write("0002_b.up.sql", "SELECT 2;");
        Write("003_c.up.sql", "SELECT 3;");
        Write("003_other.down.sql", "SELECT 3;");
        Write("004_orphan.down.sql", "SELECT 4;");

        Func<Task> load = async () => await new FileSystemMigrationSource(_dir).LoadAsync();

        MigrationValidationException error = (await load.Should().ThrowAsync<MigrationValidationException>()).Which;
        error.Problems.Select(p => (p.Code, p.Version)).Should().BeEquivalentTo(new (ValidationCode, long?)[]
        {
            (ValidationCode.InvalidFileName, null),
            (ValidationCode.DuplicateVersion, 2),
            (ValidationCode.DescriptionMismatch, 3),
            (ValidationCode.MissingUpScript, 4),
        });
        error.Message.Should().Contain("create_things.sql").And.Contain("0002_b.up.sql").And.Contain("2 problems");
        error.Problems.Single(p => p.Code == ValidationCode.MissingUpScript).Severity.Should().Be(ValidationSeverity.Warning, "golang-migrate reads a down file alone as an empty up migration");
        error.Problems.Single(p => p.Code == ValidationCode.DescriptionMismatch).Severity.Should().Be(ValidationSeverity.Info, "golang-migrate accepts an up and a down file of one version with different descriptions");
    }

    [Test]
    public async Task Invalid_utf8_is_reported_with_its_line_and_nothing_is_decoded_as_garbage()
    {
        File.WriteAllBytes(Path.Combine(_dir, "1_bad.up.sql"), [.. Encoding.UTF8.GetBytes("SELECT 1;\nSELECT '"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("';\n")]);

        Func<Task> load = async () => await new FileSystemMigrationSource(_dir).LoadAsync();

        ValidationProblem problem = (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single();
        problem.Code.Should().Be(ValidationCode.UnreadableScript);
        problem.Line.Should().Be(2);
        problem.Column.Should().Be(9);
        problem.Message.Should().Contain("not valid UTF-8");
    }

    [Test]
    public async Task A_nul_character_is_refused_before_it_reaches_the_server()
    {
        Write("1_nul.up.sql", "SELECT 1;\0");

        Func<Task> load = async () => await new FileSystemMigrationSource(_dir).LoadAsync();

        (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single().Message.Should().Contain("NUL");
    }

    [Test]
    public async Task A_symlink_loop_and_a_folder_named_like_a_script_are_reported_not_skipped()
    {
        File.CreateSymbolicLink(Path.Combine(_dir, "1_loop.up.sql"), Path.Combine(_dir, "1_loop.up.sql"));
        Write("2_ok.up.sql", "SELECT 2;");

        Func<Task> load = async () => await new FileSystemMigrationSource(_dir).LoadAsync();

        ValidationProblem problem = (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single();
        problem.Code.Should().Be(ValidationCode.UnreadableScript);
        problem.Origin.Should().EndWith("1_loop.up.sql");
    }

    [Test]
    public async Task A_missing_folder_is_an_error_naming_the_full_path()
    {
        string missing = Path.Combine(_dir, "nope");

        Func<Task> load = async () => await new FileSystemMigrationSource(missing).LoadAsync();

        (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Message.Should().Contain(missing).And.Contain("does not exist");
    }

    [Test]
    public async Task Empty_and_comment_only_files_load_as_migrations()
    {
        Write("1_empty.up.sql", string.Empty);
        Write("2_comments.up.sql", "-- nothing here yet\n/* still nothing */\n");

        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(_dir).LoadAsync();

        migrations.Should().HaveCount(2);
    }

    [Test]
    public async Task The_names_only_scan_agrees_with_the_load_and_flags_problems()
    {
        Write("1_a.up.sql", "SELECT 1;");
        Write("3_c.up.sql", "SELECT 3;");
        ICatalogMigrationSource source = new FileSystemMigrationSource(_dir);

        SourceCatalog clean = await source.ScanAsync(CancellationToken.None);
        Write("junk.sql", "SELECT 1;");
        SourceCatalog dirty = await source.ScanAsync(CancellationToken.None);

        clean.Versions.Should().Equal(1, 3);
        clean.IsClean.Should().BeTrue();
        dirty.IsClean.Should().BeFalse();
    }

    [Test]
    public void A_large_folder_read_on_every_core_gives_the_same_migrations_and_problems_as_one_file_after_another()
    {
        for (int i = 1; i <= 150; i++)
        {
            Write($"{i:000}_table_{i}.up.sql", $"CREATE TABLE t{i} (id int);\r\n-- {new string('x', i)}");
            if (i % 3 != 0)
            {
                Write($"{i:000}_table_{i}.down.sql", $"DROP TABLE t{i};");
            }
        }

        Write("0151_table_151.up.sql", "SELECT 'the same version as 151 twice';");
        Write("151_table_151.up.sql", "SELECT 151;");
        Write("152_other.up.sql", "SELECT 152;");
        Write("152_different.down.sql", "SELECT -152;");
        Write("153_only_down.down.sql", "SELECT -153;");
        File.WriteAllBytes(Path.Combine(_dir, "154_bad_utf8.up.sql"), [0x53, 0x45, 0xC3, 0x28]);
        Write("155_nul.up.sql", "SELECT 1;\0");
        Directory.CreateDirectory(Path.Combine(_dir, "156_directory.up.sql"));
        Write("not_a_migration.sql", "SELECT 0;");
        Write("1000_large.up.sql", "SELECT 1;\n" + new string('-', LargeScriptReader.Threshold + 10));
        var source = new FileSystemMigrationSource(_dir);
        ScriptFile[] files = [.. Directory.EnumerateFileSystemEntries(_dir)
            .Select(path => new ScriptFile(Path.GetFileName(path), path, () => ScriptFileReader.Open(path)))];

        SourceLoadResult oneByOne = MigrationAssembler.Load(files, parallelFrom: int.MaxValue, CancellationToken.None);
        SourceLoadResult parallel = MigrationAssembler.Load(files, parallelFrom: 1, CancellationToken.None);
        SourceLoadResult byDefault = source.LoadWithProblemsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

        foreach (SourceLoadResult result in new[] { parallel, byDefault })
        {
            result.Migrations.Select(m => (m.Version, m.Description, m.Up.Checksum, m.Up.Origin, m.Down?.Checksum))
                .Should().Equal(oneByOne.Migrations.Select(m => (m.Version, m.Description, m.Up.Checksum, m.Up.Origin, m.Down?.Checksum)));
            result.Problems.Should().Equal(oneByOne.Problems);
        }

        oneByOne.Migrations.Should().HaveCount(154, "150 tables, 151, 152 (its down named apart), 153 (a down file alone: an empty up) and 1000").And.Contain(m => m.Version == 1000);
        oneByOne.Problems.Select(p => p.Code).Should().Contain([ValidationCode.DuplicateVersion, ValidationCode.MissingUpScript, ValidationCode.UnreadableScript, ValidationCode.InvalidFileName]);
        files.Length.Should().BeGreaterThan(MigrationAssembler.ParallelReadThreshold, "the default load reads this folder on every core");
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir, name), text);
}
