using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>
/// The ActivitySource and the Meter named MigrationKit, seen by a real ActivityListener and MeterListener. Not
/// parallel: listeners are process-wide, and the counters carry no tag that tells one test's runs from another's.
/// </summary>
[NonParallelizable]
public sealed class TelemetryTests
{
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentQueue<(string Instrument, string? Unit, double Value, string? Direction)> _measurements = new();
    private ActivityListener? _activityListener;
    private MeterListener? _meterListener;

    [SetUp]
    public void Listen()
    {
        _activities.Clear();
        _measurements.Clear();
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MigrationDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);

        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MigrationDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    [TearDown]
    public void StopListening()
    {
        _activityListener?.Dispose();
        _meterListener?.Dispose();
    }

    [Test]
    public async Task A_start_up_migration_makes_one_run_span_with_a_child_span_per_migration()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using IHost host = Build(db, MigrationFolder.PlannerMigrations, "telemetry_spans");
        await host.StartAsync();

        Activity run = _activities.Should().ContainSingle(a => Tag(a, "migrationkit.history_table") == "\"telemetry_spans\".\"schema_migrations\"").Subject;
        run.DisplayName.Should().Be("migrationkit up");
        run.Status.Should().NotBe(ActivityStatusCode.Error);
        Tag(run, "db.system.name").Should().Be("postgresql");

        var children = _activities.Where(a => a.ParentSpanId == run.SpanId).OrderBy(a => a.StartTimeUtc).ToList();
        children.Should().HaveCount(10);
        children.Select(a => a.GetTagItem("migrationkit.version")).Should().Equal(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        children[0].DisplayName.Should().Be("migrationkit up 1");
        Tag(children[0], "migrationkit.description").Should().Be("create_projects_table");
        Tag(children[9], "migrationkit.description").Should().Be("seed_data");
        children.Should().OnlyContain(a => Tag(a, "migrationkit.direction") == "up" && a.TraceId == run.TraceId);
        await host.StopAsync();
    }

    [Test]
    public async Task Applied_migrations_are_counted_and_their_durations_recorded_in_seconds()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using IHost host = Build(db, MigrationFolder.PlannerMigrations, "telemetry_counts");
        await host.StartAsync();
        await host.Services.GetRequiredService<IMigrationRunner>().DownAsync(3);

        Sum("migrationkit.migrations.applied", "up").Should().Be(10);
        Sum("migrationkit.migrations.applied", "down").Should().Be(3);
        var durations = _measurements.Where(m => m.Instrument == "migrationkit.migration.duration").ToList();
        durations.Should().HaveCount(13);
        durations.Should().OnlyContain(m => m.Unit == "s" && m.Value > 0 && m.Value < 60);
        Sum("migrationkit.migrations.failed", "up").Should().Be(0);
        await host.StopAsync();
    }

    [Test]
    public async Task A_failed_migration_is_counted_and_its_spans_are_marked_as_errors()
    {
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var folder = new MigrationFolder()
            .Up(1, "fine", "CREATE TABLE t (id int);")
            .Up(2, "broken", "INSERT INTO t VALUES ('not a number');");
        using IHost host = Build(db, folder.Path, "telemetry_failure");

        Func<Task> start = () => host.StartAsync();
        await start.Should().ThrowAsync<MigrationFailedException>();

        Sum("migrationkit.migrations.applied", "up").Should().Be(1);
        Sum("migrationkit.migrations.failed", "up").Should().Be(1);
        Activity run = _activities.Should().ContainSingle(a => Tag(a, "migrationkit.history_table") == "\"telemetry_failure\".\"schema_migrations\"").Subject;
        run.Status.Should().Be(ActivityStatusCode.Error);
        Activity failed = _activities.Should().ContainSingle(a => a.ParentSpanId == run.SpanId && Equals(a.GetTagItem("migrationkit.version"), 2L)).Subject;
        failed.Status.Should().Be(ActivityStatusCode.Error);
        failed.StatusDescription.Should().Be("22P02");
    }

    private static IHost Build(ThrowawayDatabase db, string folder, string schema)
    {
        HostApplicationBuilder builder = TestHosts.Builder();
        builder.Services.AddMigrations(o =>
        {
            o.ConnectionString = db.ConnectionString;
            o.Schema = schema;
        }).FromDirectory(folder);
        return builder.Build();
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        string? direction = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "migrationkit.direction")
            {
                direction = tag.Value?.ToString();
            }
        }

        _measurements.Enqueue((instrument.Name, instrument.Unit, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), direction));
    }

    private double Sum(string instrument, string direction) =>
        _measurements.Where(m => m.Instrument == instrument && m.Direction == direction).Sum(m => m.Value);
}
