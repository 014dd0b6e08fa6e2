using MigrationKit.Testing.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationKit.Testing.Tests;

/// <summary>
/// The cluster template cache is bounded: one template per PostgreSQL version, at most three, none unused for a week,
/// none whose binaries are gone; and a start removes the stale ones, never one in use.
/// </summary>
[TestFixture]
public sealed class ClusterTemplateCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly CachedTemplate Current = Template("15.18", "/usr/lib/postgresql/15/bin/initdb", "postgres (PostgreSQL) 15.18", TimeSpan.Zero);

    [Test]
    public void A_template_whose_binaries_no_longer_exist_is_stale()
    {
        var uninstalled = Template("14.9", "/usr/lib/postgresql/14/bin/initdb", "postgres (PostgreSQL) 14.9", TimeSpan.FromHours(1));

        var stale = ClusterTemplateCache.SelectStale([Current, uninstalled], Current, Now, path => path != uninstalled.InitDb);

        stale.Should().ContainSingle().Which.Should().Be((uninstalled, "its binaries (/usr/lib/postgresql/14/bin/initdb) no longer exist"));
    }

    [Test]
    public void A_template_whose_binaries_now_report_another_version_is_stale()
    {
        var beforeUpgrade = Template("15.17", Current.InitDb, "postgres (PostgreSQL) 15.17", TimeSpan.FromHours(1));

        var stale = ClusterTemplateCache.SelectStale([Current, beforeUpgrade], Current, Now, _ => true);

        stale.Should().ContainSingle().Which.Reason.Should().Be("its binaries (/usr/lib/postgresql/15/bin/initdb) are now postgres (PostgreSQL) 15.18");
    }

    [Test]
    public void A_template_unused_for_a_week_is_stale_and_one_unused_for_less_is_kept()
    {
        var old = Template("16.4", "/opt/pg16/bin/initdb", "postgres (PostgreSQL) 16.4", TimeSpan.FromDays(7));
        var recent = Template("17.2", "/opt/pg17/bin/initdb", "postgres (PostgreSQL) 17.2", TimeSpan.FromDays(6.9));

        var stale = ClusterTemplateCache.SelectStale([Current, old, recent], Current, Now, _ => true);

        stale.Should().ContainSingle().Which.Should().Be((old, "unused for 7 days"));
    }

    [Test]
    public void Another_template_of_the_version_in_use_is_stale()
    {
        // E.g. the same version installed twice, or a template made by an earlier MigrationKit (no binaries recorded).
        var sameVersion = Template("15.18", null, null, TimeSpan.FromHours(2));

        var stale = ClusterTemplateCache.SelectStale([Current, sameVersion], Current, Now, _ => true);

        stale.Should().ContainSingle().Which.Should().Be((sameVersion, $"{Current.Name} is the template of PostgreSQL 15.18 now"));
    }

    [Test]
    public void Beyond_three_templates_the_least_recently_used_are_stale_and_the_one_in_use_takes_a_place()
    {
        var others = new[]
        {
            Template("12.20", "/opt/pg12/bin/initdb", "postgres (PostgreSQL) 12.20", TimeSpan.FromDays(4)),
            Template("13.16", "/opt/pg13/bin/initdb", "postgres (PostgreSQL) 13.16", TimeSpan.FromDays(1)),
            Template("16.4", "/opt/pg16/bin/initdb", "postgres (PostgreSQL) 16.4", TimeSpan.FromDays(3)),
            Template("17.2", "/opt/pg17/bin/initdb", "postgres (PostgreSQL) 17.2", TimeSpan.FromHours(1)),
        };
        var notMadeYet = Current with { LastUsed = DateTimeOffset.MinValue };

        var stale = ClusterTemplateCache.SelectStale([.. others], notMadeYet, Now, _ => true);

        stale.Select(s => s.Template.Version).Should().BeEquivalentTo(["16.4", "12.20"]);
        stale.Select(s => s.Reason).Should().AllBe("more than 3 templates, and it is the least recently used");
        ClusterTemplateCache.MaximumCount.Should().Be(3);
    }

    [Test]
    public void A_template_used_in_the_last_ten_minutes_is_never_removed()
    {
        var inUse = new[]
        {
            Template("14.9", "/gone/initdb", "postgres (PostgreSQL) 14.9", TimeSpan.FromMinutes(9)),
            Template("15.18", null, null, TimeSpan.FromMinutes(9)),
            Template("12.20", "/opt/pg12/bin/initdb", "postgres (PostgreSQL) 12.20", TimeSpan.FromMinutes(8)),
            Template("13.16", "/opt/pg13/bin/initdb", "postgres (PostgreSQL) 13.16", TimeSpan.FromMinutes(7)),
        };

        var stale = ClusterTemplateCache.SelectStale([Current, .. inUse], Current, Now, path => path != "/gone/initdb");

        stale.Should().BeEmpty("another process may be copying from any of them");
    }

    [Test]
    public void The_template_in_use_is_never_removed()
    {
        var current = Current with { LastUsed = Now - TimeSpan.FromDays(30) };

        var stale = ClusterTemplateCache.SelectStale([current], current, Now, _ => false);

        stale.Should().BeEmpty();
    }

    [Test]
    public async Task A_new_template_records_its_binaries_and_version()
    {
        var (binaries, user) = await LocalBinariesAsync();
        var root = NewRoot();
        try
        {
            var data = await ClusterTemplate.GetAsync(root, binaries, user, TimeSpan.FromSeconds(60), NullLogger.Instance);

            var template = ClusterTemplate.List(root).Should().ContainSingle().Subject;
            template.Folder.Should().Be(Path.GetDirectoryName(data));
            template.InitDb.Should().Be(File.ResolveLinkTarget(binaries.InitDb, returnFinalTarget: true)?.FullName ?? binaries.InitDb);
            template.VersionText.Should().Be(binaries.VersionText);
            template.Should().BeEquivalentTo(ClusterTemplate.Describe(root, binaries, user), o => o.Excluding(t => t.LastUsed));
        }
        finally
        {
            ClusterJanitor.DeleteFolder(root);
        }
    }

    [Test]
    public async Task The_janitor_removes_stale_templates_from_the_disk_and_keeps_the_others()
    {
        var (binaries, user) = await LocalBinariesAsync();
        var root = NewRoot();
        try
        {
            var realInitDb = File.ResolveLinkTarget(binaries.InitDb, returnFinalTarget: true)?.FullName ?? binaries.InitDb;
            var gone = Plant(root, "template-14.9-aaaaaaaaaaaaaaaa", "/no/such/bin/initdb", TimeSpan.FromHours(1));
            var upgraded = Plant(root, "template-15.1-eeeeeeeeeeeeeeee", realInitDb, TimeSpan.FromHours(1));
            var old = Plant(root, "template-13.16-bbbbbbbbbbbbbbbb", "/bin/sh", TimeSpan.FromDays(8));
            var otherVersion = Plant(root, "template-16.4-cccccccccccccccc", "/bin/sh", TimeSpan.FromDays(1));
            var inUse = Plant(root, "template-12.20-dddddddddddddddd", "/no/such/bin/initdb", TimeSpan.FromMinutes(1));
            using var logs = new RecordingLoggerFactory();

            ClusterJanitor.CleanTemplates(root, binaries, user, logs.CreateLogger("janitor"));

            Directory.GetDirectories(root).Should().BeEquivalentTo([otherVersion, inUse], "the stale ones are deleted and nothing is left behind");
            logs.Entries.Where(e => e.EventId.Id == 6038).Select(e => e.Message).Should().BeEquivalentTo(
            [
                $"Removed the cluster template {gone}: its binaries (/no/such/bin/initdb) no longer exist",
                $"Removed the cluster template {upgraded}: its binaries ({realInitDb}) are now {binaries.VersionText}",
                $"Removed the cluster template {old}: unused for 8 days",
            ]);
        }
        finally
        {
            ClusterJanitor.DeleteFolder(root);
        }
    }

    [Test]
    public async Task A_template_whose_binaries_are_gone_is_removed_when_a_cluster_starts()
    {
        var (binaries, user) = await LocalBinariesAsync();
        var root = NewRoot();
        var planted = Plant(root, "template-14.9-aaaaaaaaaaaaaaaa", "/no/such/bin/initdb", TimeSpan.FromHours(1));
        using var logs = new RecordingLoggerFactory();
        try
        {
            var cluster = await LocalCluster.StartAsync(binaries, user, Settings(root, useTemplate: true), logs.CreateLogger("cluster"));
            await cluster.StopAsync();

            Directory.Exists(planted).Should().BeFalse();
            logs.Entries.Should().Contain(e => e.EventId.Id == 6038 && e.Message.Contains(planted, StringComparison.Ordinal));
            Directory.GetDirectories(root).Should().ContainSingle().Which.Should().Be(ClusterTemplate.Describe(root, binaries, user).Folder);
        }
        finally
        {
            ClusterJanitor.DeleteFolder(root);
        }
    }

    [Test]
    public async Task A_start_without_the_template_leaves_the_cache_as_it_is()
    {
        var (binaries, user) = await LocalBinariesAsync();
        var root = NewRoot();
        var planted = Plant(root, "template-14.9-aaaaaaaaaaaaaaaa", "/no/such/bin/initdb", TimeSpan.FromHours(1));
        try
        {
            var cluster = await LocalCluster.StartAsync(binaries, user, Settings(root, useTemplate: false), NullLogger.Instance);
            await cluster.StopAsync();

            Directory.GetDirectories(root).Should().BeEquivalentTo([planted]);
        }
        finally
        {
            ClusterJanitor.DeleteFolder(root);
        }
    }

    private static CachedTemplate Template(string version, string? initDb, string? versionText, TimeSpan unusedFor)
    {
        var name = $"template-{version}-{ClusterRoot.RandomHex(8)}";
        return new CachedTemplate("/cache/" + name, name, version, initDb, versionText, Now - unusedFor);
    }

    private static async Task<(PostgresBinaries Binaries, ServerUser User)> LocalBinariesAsync()
    {
        var binaries = (await PostgresBinaries.LocateAsync(null)).Binaries;
        var user = (await ServerUser.GetAsync()).User;
        if (binaries is null || user is null)
        {
            Assert.Ignore("No PostgreSQL server binaries, or no user to run them as, on this machine.");
        }

        return (binaries!, user!);
    }

    /// <summary>
    /// A cluster root of this test's own, readable by the server user as the real one is: other test processes on the
    /// machine clean the real root at every start, and must neither touch this test's templates nor have theirs touched.
    /// </summary>
    private static string NewRoot()
    {
        var root = Directory.CreateTempSubdirectory("mk-template-cache-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }

        return root;
    }

    private static LocalClusterSettings Settings(string root, bool useTemplate) =>
        new(TimeSpan.FromSeconds(60), useTemplate, LocalCluster.PickFreePort, Environment.ProcessId, StartWatchdog: false, Root: root);

    /// <summary>Makes a fake template folder that records <paramref name="initDb"/>, last used <paramref name="unusedFor"/> ago.</summary>
    private static string Plant(string root, string name, string initDb, TimeSpan unusedFor)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        File.WriteAllText(Path.Combine(folder, ClusterTemplate.BinariesFileName), $"{initDb}\npostgres (PostgreSQL) {name.Split('-')[1]}\n");
        Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow - unusedFor);
        return folder;
    }
}
