using System.Net.Http.Json;
using System.Text.Json;
using MigrationKit.IntegrationTests.Support;
using MigrationKit.Testing;

namespace MigrationKit.IntegrationTests.Hosting;

/// <summary>
/// The Planner sample published with Native AOT (<c>dotnet publish samples/Planner -r linux-x64 -p:PublishAot=true</c>,
/// which .ci/run does, naming the binary in <c>MIGRATIONKIT_PLANNER_NATIVE</c>): trimmed, no JIT, and MigrationKit still
/// binds its options from configuration, reads its embedded migrations, migrates at start-up and reports its status.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class PlannerNativeTests
{
    /// <summary>The variable naming the native Planner executable.</summary>
    public const string NativeVariable = "MIGRATIONKIT_PLANNER_NATIVE";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task The_native_Planner_migrates_a_new_database_at_start_up_and_serves_its_projects_status_and_health()
    {
        string executable = NativePlanner();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();
        using var planner = PlannerProcess.StartNative(executable, db.ConnectionString);

        Uri address = await planner.WaitUntilServingAsync(StartTimeout);
        using var http = new HttpClient { BaseAddress = address };
        JsonElement projects = await http.GetFromJsonAsync<JsonElement>("/projects");
        JsonElement status = await http.GetFromJsonAsync<JsonElement>("/migrations");
        using HttpResponseMessage health = await http.GetAsync("/health");
        JsonElement report = await health.Content.ReadFromJsonAsync<JsonElement>();

        projects.GetArrayLength().Should().Be(1, planner.Output);
        projects[0].GetProperty("name").GetString().Should().Be("MCP-Planner demo");
        status.GetProperty("current_version").GetInt64().Should().Be(10);
        status.GetProperty("migrations").EnumerateArray().Should().HaveCount(10).And.OnlyContain(e => e.GetProperty("state").GetString() == "applied");
        report.GetProperty("status").GetString().Should().Be("Healthy");
        planner.Lines.Count(l => l.Contains("[3001]", StringComparison.Ordinal)).Should().Be(10, "ten migrations ran at start-up");
        (await Db.HistoryAsync(db.ConnectionString)).Should().HaveCount(10).And.OnlyContain(h => !h.Dirty);
    }

    [Test]
    public async Task The_native_Planner_binds_its_MigrationKit_options_from_configuration()
    {
        string executable = NativePlanner();
        await using ThrowawayDatabase db = await TestServer.CreateDatabaseAsync();

        // Migrations__TableName reaches MigrationOptions through the configuration binding source generator:
        // were the binding reflection-based, trimming would leave the option unbound and the default table used.
        using var planner = PlannerProcess.StartNative(executable, db.ConnectionString, "--migrate-only", "--Migrations:TableName=planner_history");
        int exit = await planner.WaitForExitAsync(StartTimeout);

        exit.Should().Be(0, planner.Output);
        (await Db.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM public.planner_history")).Should().Be(10);
        (await Db.ScalarAsync<bool>(db.ConnectionString, "SELECT to_regclass('public.schema_migrations') IS NULL")).Should().BeTrue();
    }

    private static string NativePlanner()
    {
        string? path = Environment.GetEnvironmentVariable(NativeVariable);
        if (string.IsNullOrEmpty(path))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail($"CI runs the natively published Planner: {NativeVariable} must name it (.ci/run publishes it first).");
            }

            Assert.Ignore($"No native Planner: publish it with `dotnet publish samples/Planner -c Release -r linux-x64 -p:PublishAot=true -o artifacts/native-planner` and set {NativeVariable}=artifacts/native-planner/Planner.");
        }

        string full = Path.GetFullPath(path);
        File.Exists(full).Should().BeTrue($"{NativeVariable} names {full}");
        return full;
    }
}
