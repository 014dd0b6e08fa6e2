using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MigrationKit;
using Npgsql;

namespace Planner;

/// <summary>The Planner's HTTP API.</summary>
internal static class PlannerEndpoints
{
    public static void MapPlannerEndpoints(this WebApplication app)
    {
        app.MapGet("/projects", GetProjectsAsync);
        app.MapGet("/projects/{id:long}/tasks", GetTasksAsync);
        app.MapGet("/migrations", async (IMigrationRunner runner, CancellationToken cancellationToken) =>
            MigrationsResponse.From(await runner.GetStatusAsync(cancellationToken)));
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
    }

    private static async Task<List<Project>> GetProjectsAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = database.CreateCommand(
            "SELECT id, name, description, status, created_at, updated_at FROM projects ORDER BY id");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        var projects = new List<Project>();
        while (await reader.ReadAsync(cancellationToken))
        {
            projects.Add(new Project(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return projects;
    }

    private static async Task<IResult> GetTasksAsync(long id, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM projects WHERE id = $1)", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return TypedResults.NotFound();
            }
        }

        var steps = new Dictionary<long, List<Step>>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT s.task_id, s.id, s.position, s.title, s.done, s.completed_at
            FROM steps s JOIN tasks t ON t.id = s.task_id
            WHERE t.project_id = $1
            ORDER BY s.task_id, s.position
            """,
            connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                long taskId = reader.GetInt64(0);
                if (!steps.TryGetValue(taskId, out List<Step>? list))
                {
                    steps[taskId] = list = [];
                }

                list.Add(new Step(
                    reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3), reader.GetBoolean(4),
                    await reader.IsDBNullAsync(5, cancellationToken) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        var tasks = new List<PlannerTask>();
        await using (var command = new NpgsqlCommand(
            "SELECT id, project_id, title, description, status, priority, assignee, due_at FROM tasks WHERE project_id = $1 ORDER BY priority DESC, id",
            connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                long taskId = reader.GetInt64(0);
                tasks.Add(new PlannerTask(
                    taskId, reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5),
                    await reader.IsDBNullAsync(6, cancellationToken) ? null : reader.GetString(6),
                    await reader.IsDBNullAsync(7, cancellationToken) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                    steps.TryGetValue(taskId, out List<Step>? list) ? list : []));
            }
        }

        return TypedResults.Ok(tasks);
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        JsonSerializerOptions json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = new HealthResponse(
            report.Status.ToString(),
            [.. report.Entries.Select(e => new HealthEntry(e.Key, e.Value.Status.ToString(), e.Value.Description, e.Value.Duration.TotalMilliseconds))]);
        return context.Response.WriteAsJsonAsync(response, (JsonTypeInfo<HealthResponse>)json.GetTypeInfo(typeof(HealthResponse)), cancellationToken: context.RequestAborted);
    }
}
