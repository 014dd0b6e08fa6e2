using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MigrationKit.Cli.Output;

/// <summary>
/// Where the engine's log events go. The per-script events (3000 MigrationStarting, 3001 MigrationApplied,
/// 3002 MigrationFailed) and the run's start (1000 RunStarting) become progress lines on standard output; warnings
/// and the lock wait go to standard error; with <c>--verbose</c> every event from Debug up is written to standard
/// error as well. On a terminal a script's line is written when it starts and completed in place when it ends.
/// </summary>
/// <remarks>
/// The event ids are the engine's logging contract (append only), so reading them here needs no engine hook.
/// </remarks>
internal sealed class CliLog
{
    private const int RunStarting = 1000;
    private const int Forced = 1004;
    private const int Dropped = 1006;
    private const int WaitingForLock = 2000;
    private const int MigrationStarting = 3000;
    private const int MigrationApplied = 3001;
    private const int MigrationFailed = 3002;
    private const int OutsideTransaction = 3003;

    private readonly CliEnvironment _env;
    private readonly Painter _out;
    private readonly Painter _error;
    private readonly bool _verbose;
    private readonly Lock _gate = new();
    private long? _openVersion;
    private int _versionWidth = 1;

    public CliLog(CliEnvironment env, bool verbose)
    {
        _env = env;
        _verbose = verbose;
        _out = new Painter(env.UsesColor(env.IsOutputTerminal));
        _error = new Painter(env.UsesColor(env.IsErrorTerminal));
    }

    /// <summary>Gets how many scripts completed in this process, for the message after an interruption.</summary>
    public int Completed { get; private set; }

    /// <summary>Gets the version whose script is running, if one is.</summary>
    public long? Running { get; private set; }

    /// <summary>Gets a value indicating whether the running script runs outside a transaction, under the dirty flag.</summary>
    public bool RunningOutsideTransaction { get; private set; }

    /// <summary>Gets or sets a password to mask in anything written from here, as a second line of defence.</summary>
    public string? Secret { get; set; }

    /// <summary>Gets a value indicating whether <c>--verbose</c> was given.</summary>
    public bool IsVerbose => _verbose;

    public ILogger<T> CreateLogger<T>() => new CliLogger<T>(this);

    public static bool IsEnabled(LogLevel level) => level is not (LogLevel.None or LogLevel.Trace);

    /// <summary>Writes a line of the command's own to standard output, after any progress line in the making.</summary>
    public void Out(string line)
    {
        lock (_gate)
        {
            EndOpenLine();
            _env.Out.WriteLine(line);
        }
    }

    /// <summary>Writes a line of the command's own to standard error.</summary>
    public void Error(string line)
    {
        lock (_gate)
        {
            EndOpenLineBeforeError();
            _env.Error.WriteLine(Mask(line));
        }
    }

    /// <summary>Writes a debug line of the tool's own, with <c>--verbose</c> only.</summary>
    public void Debug(string message)
    {
        if (_verbose)
        {
            Write(LogLevel.Debug, new EventId(0, "Cli"), null, message, null);
        }
    }

    public void Write(LogLevel level, EventId eventId, IReadOnlyList<KeyValuePair<string, object?>>? values, string message, Exception? exception)
    {
        lock (_gate)
        {
            switch (eventId.Id)
            {
                case RunStarting:
                    RenderRunStarting(values, message);
                    break;
                case MigrationStarting:
                    RenderStarting(values);
                    break;
                case MigrationApplied:
                    RenderEnded(values, failed: false);
                    break;
                case MigrationFailed:
                    RenderEnded(values, failed: true);
                    break;
                case OutsideTransaction:
                    RunningOutsideTransaction = Running is not null;
                    break;
            }

            if (_verbose)
            {
                WriteVerboseLine(level, eventId, message, exception);
            }
            else if (eventId.Id == WaitingForLock)
            {
                EndOpenLineBeforeError();
                _env.Error.WriteLine(Mask(message) + " …");
            }
            else if (level == LogLevel.Warning && eventId.Id is not (Forced or Dropped))
            {
                EndOpenLineBeforeError();
                _env.Error.WriteLine(_error.Yellow("warning: ") + Mask(message));
            }
        }
    }

    /// <summary>
    /// Writes a log event to standard error with <c>--verbose</c> only, never as progress or a warning: for engines
    /// whose events are not the command's output (verify runs every script three times on a throwaway database).
    /// </summary>
    public void WriteVerbose(LogLevel level, EventId eventId, string message, Exception? exception)
    {
        if (_verbose)
        {
            lock (_gate)
            {
                WriteVerboseLine(level, eventId, message, exception);
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private static T? Value<T>(IReadOnlyList<KeyValuePair<string, object?>>? values, string name)
    {
        if (values is not null)
        {
            foreach (KeyValuePair<string, object?> pair in values)
            {
                if (pair.Key == name && pair.Value is T value)
                {
                    return value;
                }
            }
        }

        return default;
    }

    private void WriteVerboseLine(LogLevel level, EventId eventId, string message, Exception? exception)
    {
        EndOpenLineBeforeError();
        string time = _env.Time.GetLocalNow().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        _env.Error.WriteLine(_error.Dim($"{time} {Level(level)} {eventId.Name ?? "Event"}[{eventId.Id}]: ") + Mask(message));
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            _env.Error.WriteLine(_error.Dim($"    {e.GetType().Name}: ") + Mask(e.Message));
        }
    }

    private void RenderRunStarting(IReadOnlyList<KeyValuePair<string, object?>>? values, string message)
    {
        long from = Value<long>(values, "FromVersion");
        long to = Value<long>(values, "ToVersion");
        _versionWidth = Math.Max(Formats.Number(from).Length, Formats.Number(to).Length);
        EndOpenLine();
        _env.Out.WriteLine(_out.Bold(message));
    }

    private void RenderStarting(IReadOnlyList<KeyValuePair<string, object?>>? values)
    {
        EndOpenLine();
        long version = Value<long>(values, "Version");
        Running = version;
        RunningOutsideTransaction = false;
        string line = ScriptLine(values);
        if (_env.IsOutputTerminal)
        {
            // Completed in place when the script ends.
            _env.Out.Write(line + _out.Dim(" …"));
            _env.Out.Flush();
            _openVersion = version;
        }
        else
        {
            _env.Out.WriteLine(line + " ...");
        }
    }

    private void RenderEnded(IReadOnlyList<KeyValuePair<string, object?>>? values, bool failed)
    {
        long version = Value<long>(values, "Version");
        Running = null;
        string outcome;
        if (failed)
        {
            outcome = _out.Red("failed");
        }
        else
        {
            Completed++;
            bool down = Value<MigrationDirection>(values, "Direction") == MigrationDirection.Down;
            var elapsed = TimeSpan.FromMilliseconds(Value<double>(values, "ElapsedMs"));
            outcome = _out.Green(down ? "reverted" : "applied") + " in " + Formats.Duration(elapsed);
        }

        string line = ScriptLine(values) + "  " + outcome;
        if (_openVersion == version)
        {
            _env.Out.WriteLine("\r\u001b[2K" + line);
            _openVersion = null;
        }
        else
        {
            EndOpenLine();
            _env.Out.WriteLine(line);
        }
    }

    private string ScriptLine(IReadOnlyList<KeyValuePair<string, object?>>? values)
    {
        bool down = Value<MigrationDirection>(values, "Direction") == MigrationDirection.Down;
        string version = Formats.Number(Value<long>(values, "Version")).PadLeft(_versionWidth);
        string direction = down ? _out.Magenta("down") : _out.Cyan("up  ");
        return $"  {direction} {_out.Bold(version)} {Value<string>(values, "Description")}";
    }

    private void EndOpenLine()
    {
        if (_openVersion is not null)
        {
            _env.Out.WriteLine();
            _openVersion = null;
        }
    }

    private void EndOpenLineBeforeError()
    {
        // Both streams on one terminal: the message must not land at the end of the progress line.
        if (_env.IsErrorTerminal)
        {
            EndOpenLine();
        }
    }

    private string Mask(string text) =>
        Secret is { Length: >= 4 } secret ? text.Replace(secret, "***", StringComparison.Ordinal) : text;
}
