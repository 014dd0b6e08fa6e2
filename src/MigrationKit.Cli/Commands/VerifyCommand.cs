using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MigrationKit.Cli.Connection;
using MigrationKit.Cli.Output;
using MigrationKit.Sources;
using MigrationKit.Testing;
using Npgsql;

namespace MigrationKit.Cli.Commands;

/// <summary>
/// <c>verify</c>: every migration of the folder applied, reverted and applied again on a throwaway database, with the
/// schema after each down script compared to the schema before its up script; exit 1 when anything does not verify.
/// It never connects to <c>--database</c> or <c>DATABASE_URL</c>.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>The environment variable MigrationKit.Testing reads for an existing server.</summary>
    private const string TestServerVariable = "MIGRATIONKIT_TEST_CONNECTION";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Object names and definitions are full of quotes: keep them readable ("public"."tasks", 'todo'::text).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    public static Command Create(CommandBinder bind)
    {
        var server = new Option<string?>("--server")
        {
            Description = "A PostgreSQL server on which the user may create databases (a postgres:// URL or an Npgsql connection string); " +
                $"verify creates a throwaway database there and drops it. Default: ${TestServerVariable}, else a private cluster started from the local PostgreSQL server binaries.",
            HelpName = "connection",
        };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON, for machines." };
        var command = new Command(
            "verify",
            "Apply each migration, revert it and apply it again on a throwaway database, checking that every down script restores the schema exactly. " +
            "Never touches --database. Exit 1 when a script fails or a down script leaves the schema different.")
        {
            server,
            json,
        };
        bind(command, async (context, cancellationToken) =>
        {
            if (context.HasDatabaseOption)
            {
                context.Log.Error(context.ErrorPaint.Yellow("note: ") + "verify runs on a throwaway database and ignores --database; --server chooses the server it is created on.");
            }

            DatabaseTarget? target = context.Parse.GetValue(server) is { } value && !string.IsNullOrWhiteSpace(value) ? DatabaseAddress.Parse(value) : null;
            if (target is not null)
            {
                context.Log.Secret = target.Password;
                context.Log.Debug($"--server: {target}");
            }

            // Read the folder first: a malformed one fails here, before any server is started.
            IReadOnlyList<Migration> migrations = await context.CreateSource().LoadAsync(cancellationToken);
            bool asJson = context.Parse.GetValue(json);
            if (migrations.Count == 0)
            {
                context.Log.Out(asJson
                    ? JsonSerializer.Serialize(ToJson(null, context.Source, null), JsonContext.VerifyJson)
                    : $"No migrations in {context.Source}: nothing to verify.");
                return ExitCodes.Success;
            }

            PostgresServer? postgres = await StartServerAsync(context, target, cancellationToken);
            if (postgres is null)
            {
                return ExitCodes.Failed;
            }

            await using (postgres)
            {
                MigrationOptions engine = context.CreateOptions(null);
                VerificationReport report = await postgres.VerifyAsync(
                    new InMemoryMigrationSource(migrations),
                    o =>
                    {
                        o.Schema = engine.Schema;
                        o.TableName = engine.TableName;
                        o.StatementTimeout = engine.StatementTimeout;
                        o.LockTimeout = engine.LockTimeout;
                    },
                    cancellationToken);
                string where = ServerDescription(postgres, target);
                context.Log.Out(asJson
                    ? JsonSerializer.Serialize(ToJson(report, context.Source, where), JsonContext.VerifyJson)
                    : ToText(report, context.Source, where, context.OutPaint));
                return report.IsVerified ? ExitCodes.Success : ExitCodes.Failed;
            }
        });
        return command;
    }

    private static VerifyJsonContext JsonContext { get; } = new(JsonOptions);

    /// <summary>The server of <c>--server</c>, else of MIGRATIONKIT_TEST_CONNECTION, else a private cluster; never a container.</summary>
    private static async Task<PostgresServer?> StartServerAsync(CommandContext context, DatabaseTarget? target, CancellationToken cancellationToken)
    {
        var options = new PostgresServerOptions
        {
            ConnectionString = target?.ConnectionString,
            AllowContainer = false,
            SpareDatabases = 0,
            LoggerFactory = new VerboseLoggerFactory(context.Log),
        };
        try
        {
            return await PostgresServer.StartAsync(options, cancellationToken);
        }
        catch (InvalidOperationException ex) when (!cancellationToken.IsCancellationRequested)
        {
            context.Log.Error(context.ErrorPaint.Red("error: ") + "verify found no PostgreSQL server for its throwaway database. " + ex.Message);
            context.Log.Error(target is null
                ? $"Pass --server with a server on which the user may create databases (or set {TestServerVariable}), or install the PostgreSQL server binaries (initdb, pg_ctl, postgres). verify never starts a container."
                : "Check --server: the server must be reachable and the user allowed to create databases.");
            for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
            {
                context.Log.Debug($"caused by {inner.GetType().Name}: {inner.Message}");
            }

            return null;
        }
    }

    private static string ServerDescription(PostgresServer server, DatabaseTarget? target) => server.Kind switch
    {
        PostgresServerKind.LocalCluster => "a private cluster from the local PostgreSQL binaries",
        _ when target is not null => $"server {(target.Host.Contains(':', StringComparison.Ordinal) ? $"[{target.Host}]" : target.Host)}:{target.Port}" +
            (target.Username is null ? string.Empty : $" as {target.Username}"),
        _ => $"the server of {TestServerVariable}",
    };

    private static string ToText(VerificationReport report, string source, string where, Painter paint)
    {
        var text = new StringBuilder();
        text.AppendLine(paint.Bold($"Verifying {Formats.Count(report.Migrations.Count, "migration")} of {source}") +
            $": up, down, up again, on a throwaway database (PostgreSQL {report.ServerVersion}, {where}).");
        text.AppendLine();

        string[] headers = ["Version", "Description", "Up", "Down", "Re-up", "Result"];
        List<string[]> rows = [.. report.Migrations.Select(m => new[]
        {
            Formats.Number(m.Version),
            m.Description,
            Duration(m.UpDuration, m.FailedStep == VerificationStep.Up),
            Duration(m.DownDuration, m.FailedStep == VerificationStep.Down),
            Duration(m.ReUpDuration, m.FailedStep == VerificationStep.ReUp),
            Result(m),
        })];
        int[] widths = [.. headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))];
        text.AppendLine(paint.Bold(Row(headers, widths)));
        int indent = widths[0] + 2;
        for (int i = 0; i < rows.Count; i++)
        {
            MigrationVerification migration = report.Migrations[i];
            string line = Row(rows[i], widths);
            int resultStart = line.Length - rows[i][^1].Length;
            text.AppendLine(line[..resultStart] + Paint(migration.Outcome, rows[i][^1], paint));
            foreach (SchemaDifference difference in migration.Differences)
            {
                text.AppendLine(new string(' ', indent) + difference.Message);
            }

            if (migration.Failure is { } failure)
            {
                text.AppendLine(new string(' ', indent) + CompilerLine(failure, paint));
            }
        }

        text.AppendLine();
        text.Append(Summary(report, paint));
        return text.ToString();
    }

    private static string Duration(TimeSpan? duration, bool failed) =>
        failed ? "failed" : duration is { } value ? Formats.Duration(value) : "-";

    private static string Result(MigrationVerification migration) => migration.Outcome switch
    {
        VerificationOutcome.Verified => "down restores the schema",
        VerificationOutcome.UpOnly => "up only (no down script)",
        VerificationOutcome.SchemaDiffers => "down leaves the schema different:",
        VerificationOutcome.Failed => $"{Step(migration.FailedStep)} failed:",
        _ => "not run",
    };

    private static string Paint(VerificationOutcome outcome, string text, Painter paint) => outcome switch
    {
        VerificationOutcome.Verified => paint.Green(text),
        VerificationOutcome.UpOnly => paint.Cyan(text),
        VerificationOutcome.NotRun => paint.Dim(text),
        _ => paint.Red(text),
    };

    private static string Row(string[] cells, int[] widths)
    {
        // Version and the timings right-aligned, the rest left-aligned; two spaces between columns.
        var line = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            string cell = i is 0 or 2 or 3 or 4 ? cells[i].PadLeft(widths[i]) : i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]);
            line.Append(i == 0 ? string.Empty : "  ").Append(cell);
        }

        return line.ToString();
    }

    /// <summary>The failure as a compiler prints an error: <c>file:line:col: error SQLSTATE: message</c>.</summary>
    private static string CompilerLine(MigrationFailedException failure, Painter paint)
    {
        string where = failure.Line is { } line ? $"{failure.Origin}:{line}:{failure.Column ?? 1}" : failure.Origin;
        string what = failure.InnerException is PostgresException server
            ? $"{server.SqlState}: {server.MessageText}"
            : failure.IsConnectionLost ? "connection lost" : failure.Message;
        return $"{where}: {paint.Red("error")} {what}";
    }

    private static string Summary(VerificationReport report, Painter paint)
    {
        IReadOnlyList<MigrationVerification> all = report.Migrations;
        int verified = all.Count(m => m.Outcome == VerificationOutcome.Verified);
        int upOnly = all.Count(m => m.Outcome == VerificationOutcome.UpOnly);
        int differs = all.Count(m => m.Outcome == VerificationOutcome.SchemaDiffers);
        int failed = all.Count(m => m.Outcome == VerificationOutcome.Failed);
        int notRun = all.Count(m => m.Outcome == VerificationOutcome.NotRun);
        string took = $"in {Formats.Duration(report.Duration)}";
        if (report.IsVerified)
        {
            string restored = upOnly == 0
                ? $"every down script restores the schema and every up script runs again after it"
                : $"{Formats.Count(verified, "down script")} restore{(verified == 1 ? "s" : string.Empty)} the schema, {upOnly} up only (no down script)";
            return paint.Green($"Verified {Formats.Count(all.Count, "migration")}") + $" {took}: {restored}.";
        }

        var parts = new List<string>(4);
        if (differs > 0)
        {
            parts.Add(paint.Red($"{differs} down script{(differs == 1 ? " leaves" : "s leave")} the schema different"));
        }

        if (failed > 0)
        {
            parts.Add(paint.Red($"{Formats.Count(failed, "migration")} failed"));
        }

        if (notRun > 0)
        {
            parts.Add($"{notRun} not run");
        }

        parts.Add($"{verified + upOnly} verified");
        return paint.Bold("Verification failed") + $" {took}: {string.Join(", ", parts)}.";
    }

    private static string Step(VerificationStep? step) => step switch
    {
        VerificationStep.Down => "down",
        VerificationStep.ReUp => "re-up",
        _ => "up",
    };

    private static VerifyJson ToJson(VerificationReport? report, string source, string? where)
    {
        IReadOnlyList<MigrationVerification> all = report?.Migrations ?? [];
        return new VerifyJson(
            report?.IsVerified ?? true,
            source,
            where,
            report?.ServerVersion.ToString(),
            (long)(report?.Duration.TotalMilliseconds ?? 0),
            new VerifyCountsJson(
                all.Count(m => m.Outcome == VerificationOutcome.Verified),
                all.Count(m => m.Outcome == VerificationOutcome.UpOnly),
                all.Count(m => m.Outcome == VerificationOutcome.SchemaDiffers),
                all.Count(m => m.Outcome == VerificationOutcome.Failed),
                all.Count(m => m.Outcome == VerificationOutcome.NotRun)),
            [.. all.Select(ToJson)]);
    }

    private static VerifyMigrationJson ToJson(MigrationVerification m) => new(
        m.Version,
        m.Description,
        m.Outcome switch
        {
            VerificationOutcome.Verified => "verified",
            VerificationOutcome.UpOnly => "upOnly",
            VerificationOutcome.SchemaDiffers => "schemaDiffers",
            VerificationOutcome.Failed => "failed",
            _ => "notRun",
        },
        m.UpOrigin,
        m.DownOrigin,
        Milliseconds(m.UpDuration),
        Milliseconds(m.DownDuration),
        Milliseconds(m.ReUpDuration),
        [.. m.Differences.Select(d => new VerifyDifferenceJson(
            d.ObjectName,
            d.Change switch { SchemaChange.Missing => "missing", SchemaChange.Added => "added", _ => "changed" },
            d.Before,
            d.After,
            d.Message))],
        m.Failure is { } failure
            ? new VerifyErrorJson(
                m.FailedStep == VerificationStep.ReUp ? "reUp" : Step(m.FailedStep),
                failure.Origin,
                failure.Line,
                failure.Column,
                failure.SqlState,
                failure.InnerException is PostgresException server ? server.MessageText : failure.Message)
            : null);

    private static double? Milliseconds(TimeSpan? duration) =>
        duration is { } value ? Math.Round(value.TotalMilliseconds, 1, MidpointRounding.AwayFromZero) : null;
}
