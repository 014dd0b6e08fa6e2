using System.Text.Json.Serialization;

namespace Planner;

/// <summary>
/// The JSON the endpoints write, generated at build time: no reflection, so the Planner publishes with Native AOT
/// (<c>dotnet publish -r linux-x64 -p:PublishAot=true</c>) as well as it runs on the JIT.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<Project>))]
[JsonSerializable(typeof(List<PlannerTask>))]
[JsonSerializable(typeof(MigrationsResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class PlannerJsonContext : JsonSerializerContext;
