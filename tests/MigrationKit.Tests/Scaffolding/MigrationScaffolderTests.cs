using MigrationKit.Scaffolding;
using MigrationKit.Sources;

namespace MigrationKit.Tests.Scaffolding;

public sealed class MigrationScaffolderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 14, 30, 5, TimeSpan.FromHours(2));
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mk-scaffold-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task An_empty_folder_gets_version_1_with_three_digits()
    {
        ScaffoldedMigration created = await new MigrationScaffolder(_dir).CreateAsync("create projects table");

        created.Version.Should().Be(1);
        created.Description.Should().Be("create_projects_table");
        Files().Should().Equal("001_create_projects_table.down.sql", "001_create_projects_table.up.sql");
        created.UpPath.Should().Be(Path.Combine(_dir, "001_create_projects_table.up.sql"));
        created.DownPath.Should().Be(Path.Combine(_dir, "001_create_projects_table.down.sql"));
    }

    [Test]
    public async Task The_next_version_follows_the_newest_and_keeps_the_folder_digit_width()
    {
        Touch("0001_a.up.sql", "0001_a.down.sql", "0009_b.up.sql", "README.md", "notes.sql");

        ScaffoldedMigration created = await new MigrationScaffolder(_dir).CreateAsync("add_task_labels");

        created.Version.Should().Be(10);
        File.Exists(Path.Combine(_dir, "0010_add_task_labels.up.sql")).Should().BeTrue();
        File.Exists(Path.Combine(_dir, "0010_add_task_labels.down.sql")).Should().BeTrue();
    }

    [Test]
    public async Task The_width_comes_from_the_newest_migration_and_grows_when_the_version_needs_it()
    {
        Touch("1_a.up.sql", "099_b.up.sql", "999_c.up.sql");

        ScaffoldedMigration created = await new MigrationScaffolder(_dir).CreateAsync("d");

        created.Version.Should().Be(1000);
        Path.GetFileName(created.UpPath).Should().Be("1000_d.up.sql");
    }

    [Test]
    public async Task Digits_chooses_the_width()
    {
        Touch("001_a.up.sql");

        ScaffoldedMigration created = await new MigrationScaffolder(_dir).CreateAsync("b", new MigrationScaffoldOptions { Digits = 5 });

        Path.GetFileName(created.UpPath).Should().Be("00002_b.up.sql");
    }

    [TestCase(0)]
    [TestCase(20)]
    public async Task Digits_out_of_range_is_refused(int digits)
    {
        Func<Task> act = () => new MigrationScaffolder(_dir).CreateAsync("b", new MigrationScaffoldOptions { Digits = digits });

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Digits*between 1 and 19*");
        Files().Should().BeEmpty();
    }

    [Test]
    public async Task A_timestamp_version_is_the_utc_time_from_the_time_provider()
    {
        Touch("001_a.up.sql");

        ScaffoldedMigration created = await new MigrationScaffolder(_dir, new FixedTime(Now))
            .CreateAsync("add labels", new MigrationScaffoldOptions { Scheme = MigrationVersionScheme.Timestamp });

        created.Version.Should().Be(20261124123005);
        Path.GetFileName(created.UpPath).Should().Be("20261124123005_add_labels.up.sql");
    }

    [Test]
    public async Task A_timestamp_at_or_below_the_newest_version_moves_past_it_so_the_new_migration_comes_last()
    {
        var scaffolder = new MigrationScaffolder(_dir, new FixedTime(Now));
        var timestamps = new MigrationScaffoldOptions { Scheme = MigrationVersionScheme.Timestamp };

        ScaffoldedMigration first = await scaffolder.CreateAsync("first", timestamps);
        ScaffoldedMigration second = await scaffolder.CreateAsync("second", timestamps);

        first.Version.Should().Be(20261124123005);
        second.Version.Should().Be(20261124123006);
    }

    [TestCase("Add task labels", "add_task_labels")]
    [TestCase("addTaskLabels", "add_task_labels")]
    [TestCase("  --drop   the.OLD/index!! ", "drop_the_old_index")]
    [TestCase("../../etc/passwd", "etc_passwd")]
    [TestCase("Café crème", "cafe_creme")]
    [TestCase("v2Upgrade", "v2_upgrade")]
    [TestCase("already_fine_123", "already_fine_123")]
    public void Descriptions_are_reduced_to_lower_case_letters_digits_and_single_underscores(string typed, string expected) =>
        MigrationScaffolder.SanitizeDescription(typed).Should().Be(expected);

    [TestCase("")]
    [TestCase("  ")]
    [TestCase("!!!---")]
    [TestCase("日本語")]
    public async Task A_description_with_nothing_left_is_an_error_and_writes_nothing(string typed)
    {
        Func<Task> act = () => new MigrationScaffolder(_dir).CreateAsync(typed);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*nothing left*");
        Files().Should().BeEmpty();
    }

    [Test]
    public async Task A_description_too_long_for_a_file_name_is_an_error()
    {
        Func<Task> act = () => new MigrationScaffolder(_dir).CreateAsync(new string('a', MigrationScaffolder.MaxDescriptionLength + 1));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*at most 200*");
    }

    [Test]
    public async Task An_existing_file_is_never_overwritten_and_no_half_migration_is_left()
    {
        // Numbering never picks a taken version, so only something the numbering cannot see collides: here a
        // folder with the down script's name (another create racing this one would do the same).
        Touch("001_a.up.sql");
        Directory.CreateDirectory(Path.Combine(_dir, "002_b.down.sql"));

        Func<Task> act = () => new MigrationScaffolder(_dir).CreateAsync("b");

        await act.Should().ThrowAsync<MigrationException>().WithMessage("*002_b.down.sql exists already*");
        Directory.Exists(Path.Combine(_dir, "002_b.down.sql")).Should().BeTrue();
        File.Exists(Path.Combine(_dir, "002_b.up.sql")).Should().BeFalse("the up script alone would be half a migration");
    }

    [Test]
    public async Task An_existing_up_file_is_left_as_it_is()
    {
        Touch("001_a.up.sql");
        Directory.CreateDirectory(Path.Combine(_dir, "002_b.up.sql"));

        Func<Task> act = () => new MigrationScaffolder(_dir).CreateAsync("b");

        await act.Should().ThrowAsync<MigrationException>().WithMessage("*002_b.up.sql exists already*");
        File.Exists(Path.Combine(_dir, "002_b.down.sql")).Should().BeFalse();
    }

    [TestCase("../escaped")]
    [TestCase("../../escaped")]
    [TestCase("/tmp/escaped")]
    [TestCase("..\\escaped")]
    [TestCase("sub/../../escaped")]
    public async Task A_description_that_tries_to_leave_the_folder_writes_only_inside_it(string typed)
    {
        string inner = Path.Combine(_dir, "db", "migrations");
        Directory.CreateDirectory(inner);

        ScaffoldedMigration created = await new MigrationScaffolder(inner).CreateAsync(typed);

        Path.GetDirectoryName(created.UpPath).Should().Be(inner);
        Path.GetDirectoryName(created.DownPath).Should().Be(inner);
        Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_dir, f))
            .Order(StringComparer.Ordinal)
            .Should().Equal(
                Path.Combine("db", "migrations", Path.GetFileName(created.DownPath)),
                Path.Combine("db", "migrations", Path.GetFileName(created.UpPath)));
        Path.GetFileName(created.UpPath).Should().NotContainAny("/", "\\", "..");
    }

    [Test]
    public async Task A_missing_folder_is_created()
    {
        string nested = Path.Combine(_dir, "db", "migrations");

        ScaffoldedMigration created = await new MigrationScaffolder(nested).CreateAsync("init");

        File.Exists(created.UpPath).Should().BeTrue();
        Path.GetDirectoryName(created.UpPath).Should().Be(nested);
    }

    [Test]
    public async Task The_files_are_a_migration_the_folder_source_reads_and_need_no_transaction_control()
    {
        await new MigrationScaffolder(_dir).CreateAsync("add labels");

        IReadOnlyList<Migration> migrations = await new FileSystemMigrationSource(_dir).LoadAsync();

        migrations.Should().ContainSingle();
        migrations[0].Version.Should().Be(1);
        migrations[0].Description.Should().Be("add_labels");
        migrations[0].Down.Should().NotBeNull();
        migrations[0].Up.RunsOutsideTransaction.Should().BeFalse("the template's mention of the directive is not the directive");
        migrations[0].Up.Sql.Should().NotContainAny("BEGIN;", "COMMIT;");
        File.ReadAllBytes(migrations[0].Up.Origin)[0].Should().Be((byte)'-', "the files are UTF-8 without a byte order mark");
    }

    private void Touch(params string[] names)
    {
        foreach (string name in names)
        {
            File.WriteAllText(Path.Combine(_dir, name), "SELECT 1;");
        }
    }

    private List<string> Files() =>
        [.. Directory.EnumerateFiles(_dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
