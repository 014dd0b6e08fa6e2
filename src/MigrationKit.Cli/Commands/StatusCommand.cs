using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MigrationKit.Cli.Connection;
using MigrationKit.Cli.Output;

namespace MigrationKit.Cli.Commands;

/// <summary><c>status</c>: every version of the folder and the history, as a table or as JSON.</summary>
internal static class StatusCommand
{
    public static Command Create(CommandBinder bind)
    {
        var json = new Option<bool>("--json") { Description = "Write the status as JSON, for machines." };
        var exitCode = new Option<bool>("--exit-code")
        {
            Description = $"Exit with {ExitCodes.Pending} when migrations are pending (as git diff --exit-code does); {ExitCodes.Dirty} when dirty comes first either way.",
        };
        var command = new Command(
            "status",
            "Show every migration of the folder and the database: applied, pending, dirty, drifted or missing; for a fleet (--databases, --schemas, --targets), " +
            "how many targets are at each version and which are dirty, behind or unreachable. " +
            $"Exit codes: 0 clean, {ExitCodes.Failed} error (or a target unreachable), {ExitCodes.Usage} usage, {ExitCodes.Dirty} dirty, {ExitCodes.Pending} pending (with --exit-code).")
        {
            json,
            exitCode,
        };
        var fleet = new FleetArguments(forUp: false);
        fleet.AddTo(command);
        bind(command, async (context, cancellationToken) =>
        {
            if (fleet.IsFleet(context.Parse))
            {
                return await FleetCommands.StatusAsync(context, fleet, context.Parse.GetValue(json), context.Parse.GetValue(exitCode), cancellationToken);
            }

            var (runner, store, database) = context.CreateRunner();
            MigrationStatus status = await runner.GetStatusAsync(cancellationToken);
            string text = context.Parse.GetValue(json)
                ? ToJson(status, database, store.HistoryTable)
                : ToTable(status, database, store.HistoryTable, context.OutPaint);
            context.Log.Out(text);
            return status.IsDirty ? ExitCodes.Dirty
                : context.Parse.GetValue(exitCode) && status.Pending.Count > 0 ? ExitCodes.Pending
                : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>How a row was recorded, for the table and JSON: applied, forced, baseline, golang-migrate (adopted), golang-migrate.</summary>
    internal static string RecordedAs(HistoryRecordKind kind) => kind switch
    {
        HistoryRecordKind.Forced => "forced",
        HistoryRecordKind.Baselined => "baseline",
        HistoryRecordKind.AdoptedFromGolangMigrate => "adopted from golang-migrate",
        HistoryRecordKind.GolangMigrate => "golang-migrate",
        _ => "applied",
    };

    internal static string State(MigrationState state) => state switch
    {
        MigrationState.Applied => "applied",
        MigrationState.Pending => "pending",
        MigrationState.Dirty => "dirty",
        MigrationState.Drifted => "drifted",
        _ => "missing",
    };

    private static string ToTable(MigrationStatus status, DatabaseTarget database, string historyTable, Painter paint)
    {
        var text = new StringBuilder();
        text.AppendLine(paint.Bold(Formats.Capitalise($"{database}, history {historyTable}")));
        if (status.Entries.Count == 0)
        {
            text.Append("No migrations: the folder is empty and nothing is applied.");
            return text.ToString();
        }

        string[] headers = ["Version", "Description", "Applied at (UTC)", "Duration", "State"];
        List<string[]> rows = [.. status.Entries.Select(e => new[]
        {
            Formats.Number(e.Version),
            e.Description,
            e.Applied is { } applied ? Formats.Time(applied.AppliedAt) : "-",
            e.Applied?.ExecutionTime is { } took ? Formats.Duration(took) : "-",
            e.Applied is { Kind: not HistoryRecordKind.Applied } recorded ? $"{State(e.State)} ({RecordedAs(recorded.Kind)})"
                : e.State == MigrationState.Pending && e.Migration?.Phase == MigrationPhase.Post ? "pending (post)"
                : State(e.State),
        })];
        int[] widths = [.. headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))];

        text.AppendLine();
        text.AppendLine(paint.Bold(Row(headers, widths)));
        for (int i = 0; i < rows.Count; i++)
        {
            string line = Row(rows[i], widths);
            int stateStart = line.Length - rows[i][4].Length;
            text.AppendLine(line[..stateStart] + Paint(status.Entries[i].State, rows[i][4], paint));
        }

        text.AppendLine();
        text.Append(Summary(status, paint));
        return text.ToString();
    }

    private static string Row(string[] cells, int[] widths)
    {
        // Version and duration right-aligned, the rest left-aligned; two spaces between columns.
        var line = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            string cell = i is 0 or 3 ? cells[i].PadLeft(widths[i]) : i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]);
            line.Append(i == 0 ? string.Empty : "  ").Append(cell);
        }

        return line.ToString();
    }

    private static string Paint(MigrationState state, string text, Painter paint) => state switch
    {
        MigrationState.Applied => paint.Green(text),
        MigrationState.Pending => paint.Yellow(text),
        MigrationState.Missing => paint.Magenta(text),
        _ => paint.Red(text),
    };

    private static string Summary(MigrationStatus status, Painter paint)
    {
        var counts = new List<string> { $"{status.Entries.Count(e => e.State == MigrationState.Applied)} applied", $"{status.Pending.Count} pending" };
        if (status.PendingPostDeployment.Count > 0)
        {
            counts[1] += $" ({status.PendingPostDeployment.Count} post-deployment, for up --phase post after the rollout)";
        }
        int dirty = status.Entries.Count(e => e.State == MigrationState.Dirty);
        if (dirty > 0)
        {
            counts.Add(paint.Red($"{dirty} dirty"));
        }

        if (status.Drifted.Count > 0)
        {
            counts.Add(paint.Red($"{status.Drifted.Count} drifted"));
        }

        if (status.Missing.Count > 0)
        {
            counts.Add(paint.Magenta($"{status.Missing.Count} missing"));
        }

        var summary = new StringBuilder(paint.Bold($"Version {Formats.Number(status.CurrentVersion)}") + ": " + string.Join(", ", counts) + ".");
        if (status.HistoryFormat == HistoryFormat.GolangMigrate)
        {
            summary.Append(paint.Yellow(
                " The history table is golang-migrate's: the versions up to its version are recorded by golang-migrate, and the next up (or force, baseline, repair) " +
                "adopts the table in place; golang-migrate must not run on it afterwards."));
        }

        if (status.IsDirty)
        {
            AppliedMigration dirtyRow = status.Applied.First(a => a.IsDirty);
            string version = Formats.Number(dirtyRow.Version);
            summary.Append(dirtyRow.Kind == HistoryRecordKind.GolangMigrate
                ? $" Dirty at version {version}: golang-migrate's migration {version} failed or was interrupted (golang-migrate sets the flag before a migration and clears it after). Check the schema, then run force {version} (it applied) or force the version before it (it did not)."
                : $" Dirty at version {version}: a script outside a transaction was interrupted or failed. Repair the schema by hand, then run force {version} (or force the version before it).");
        }

        if (status.Drifted.Count > 0)
        {
            summary.Append(" Drifted: an applied up script was edited since; run validate for details.");
        }

        return summary.ToString();
    }

    private static string ToJson(MigrationStatus status, DatabaseTarget database, string historyTable)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("database");
            json.WriteString("host", database.Host);
            json.WriteNumber("port", database.Port);
            WriteStringOrNull(json, "name", database.Database);
            WriteStringOrNull(json, "user", database.Username);
            json.WriteEndObject();
            json.WriteString("historyTable", historyTable);
            if (status.CurrentVersion is { } current)
            {
                json.WriteNumber("currentVersion", current);
            }
            else
            {
                json.WriteNull("currentVersion");
            }

            json.WriteBoolean("dirty", status.IsDirty);
            json.WriteString("historyFormat", status.HistoryFormat switch
            {
                HistoryFormat.GolangMigrate => "golang-migrate",
                HistoryFormat.None => "none",
                _ => "migrationkit",
            });
            json.WriteStartObject("counts");
            foreach (MigrationState state in Enum.GetValues<MigrationState>())
            {
                json.WriteNumber(State(state), status.Entries.Count(e => e.State == state));
            }

            json.WriteEndObject();
            json.WriteStartArray("migrations");
            foreach (MigrationStatusEntry entry in status.Entries)
            {
                json.WriteStartObject();
                json.WriteNumber("version", entry.Version);
                json.WriteString("description", entry.Description);
                json.WriteString("state", State(entry.State));
                if (entry.Applied is { } applied)
                {
                    if (applied.AppliedAt is { } appliedAt)
                    {
                        json.WriteString("appliedAt", appliedAt.ToUniversalTime());
                    }
                    else
                    {
                        json.WriteNull("appliedAt");
                    }

                    if (applied.ExecutionTime is { } took)
                    {
                        json.WriteNumber("executionMs", (long)took.TotalMilliseconds);
                    }
                    else
                    {
                        json.WriteNull("executionMs");
                    }

                    WriteStringOrNull(json, "appliedBy", applied.AppliedBy);
                    WriteStringOrNull(json, "appliedChecksum", applied.Checksum);
                    json.WriteString("recordedAs", RecordedAs(applied.Kind));
                }
                else
                {
                    json.WriteNull("appliedAt");
                    json.WriteNull("executionMs");
                    json.WriteNull("appliedBy");
                    json.WriteNull("appliedChecksum");
                    json.WriteNull("recordedAs");
                }

                WriteStringOrNull(json, "checksum", entry.Migration?.Up.Checksum);
                WriteStringOrNull(json, "origin", entry.Migration?.Up.Origin);
                json.WriteBoolean("hasDown", entry.Migration?.Down is not null);
                WriteStringOrNull(json, "phase", entry.Migration is { } migration ? (migration.Phase == MigrationPhase.Post ? "post" : "pre") : null);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
