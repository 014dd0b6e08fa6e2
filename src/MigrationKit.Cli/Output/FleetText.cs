using System.Text;
using MigrationKit.Fleet;

namespace MigrationKit.Cli.Output;

/// <summary>How a fleet's results read in the tool's plain output: one line per target, the totals, the failures.</summary>
internal static class FleetText
{
    public static string Status(FleetOutcome outcome) => outcome switch
    {
        FleetOutcome.Applied => "applied",
        FleetOutcome.UpToDate => "up-to-date",
        FleetOutcome.Failed => "failed",
        FleetOutcome.Skipped => "skipped",
        FleetOutcome.DoneByAnother => "done-by-another",
        _ => "cancelled",
    };

    public static string State(FleetTargetState state) => state switch
    {
        FleetTargetState.UpToDate => "up-to-date",
        FleetTargetState.Behind => "behind",
        FleetTargetState.Dirty => "dirty",
        _ => "unreachable",
    };

    /// <summary>The name of a target as a person reads it: its URL without password, and its schema.</summary>
    public static string Name(string target, string schema, bool schemaTarget) => schemaTarget ? $"{target} schema {schema}" : target;

    /// <summary>
    /// One finished target: <c>applied  postgres://app@pg1:5432/tenant_7  none → 10  10 migrations  412 ms</c>; a failure
    /// adds <c>file:line:column: SQLSTATE</c> and the server's message, a skip its reason.
    /// </summary>
    public static string Line(FleetTargetResult result, bool schemaTarget, Painter paint)
    {
        string status = Status(result.Outcome).PadRight(15);
        string painted = result.Outcome switch
        {
            FleetOutcome.Applied => paint.Green(status),
            FleetOutcome.UpToDate or FleetOutcome.DoneByAnother => paint.Cyan(status),
            FleetOutcome.Skipped => paint.Yellow(status),
            _ => paint.Red(status),
        };
        var line = new StringBuilder(painted).Append(' ').Append(Name(result.Target, result.Schema, schemaTarget));
        line.Append("  ").Append(Formats.Number(result.FromVersion)).Append(" → ").Append(Formats.Number(result.ToVersion));
        if (result.MigrationsApplied > 0)
        {
            line.Append("  ").Append(Formats.Count(result.MigrationsApplied, "migration"));
        }

        if (result.Attempts > 0)
        {
            line.Append("  ").Append(Formats.Duration(result.Duration));
        }

        if (result.Failure is { } failure)
        {
            line.Append("  ").Append(Where(failure)).Append(": ").Append(Brief(failure));
        }
        else if (result.Outcome is FleetOutcome.Skipped or FleetOutcome.Cancelled && result.Reason is { } reason)
        {
            line.Append("  ").Append(paint.Dim(reason));
        }

        return line.ToString();
    }

    /// <summary>Where a failure is, compiler style: <c>file:line:column</c>, or what is known of it.</summary>
    public static string Where(FleetFailure failure) =>
        failure.File is null ? failure.Kind
        : failure.Line is { } line ? $"{failure.File}:{line}:{failure.Column ?? 1}"
        : failure.File;

    /// <summary>The totals, in one line.</summary>
    public static string Summary(FleetReport report, Painter paint)
    {
        FleetSummary s = report.Summary;
        var parts = new List<string>
        {
            $"{s.Applied} applied",
            $"{s.UpToDate} up to date",
        };
        if (s.DoneByAnother > 0)
        {
            parts.Add($"{s.DoneByAnother} done by another process");
        }

        if (s.Failed > 0)
        {
            parts.Add(paint.Red($"{s.Failed} failed"));
        }

        if (s.Skipped > 0)
        {
            parts.Add(paint.Yellow($"{s.Skipped} skipped"));
        }

        if (s.Cancelled > 0)
        {
            parts.Add(paint.Red($"{s.Cancelled} cancelled"));
        }

        string head = paint.Bold($"{Formats.Count(s.Targets, "target")} on {Formats.Count(s.Servers, "server")}");
        return $"{head}: {string.Join(", ", parts)}; {Formats.Count(s.MigrationsApplied, "migration")} applied in {Formats.Duration(s.Duration)} ({s.Parallelism} at a time).";
    }

    /// <summary>What failed, in brief: <c>SQLSTATE: the server's message</c> when the server refused a statement, else the message's start.</summary>
    public static string Brief(FleetFailure failure)
    {
        string message = failure.Message.ReplaceLineEndings(" ");
        if (failure.SqlState is { } state)
        {
            // The engine's message carries "SQLSTATE: server message." after the location: show that part.
            int at = message.IndexOf(state + ": ", StringComparison.Ordinal);
            if (at >= 0)
            {
                int end = message.IndexOf(". ", at, StringComparison.Ordinal);
                return end > at ? message[at..end] : message[at..];
            }
        }

        return message.Length > 200 ? message[..200] + "…" : message;
    }
}
