using MigrationKit.Fleet;

namespace MigrationKit.Cli.Output;

/// <summary>
/// A fleet's progress as a person follows it. On a terminal: one live line, rewritten in place (targets done, failed,
/// running, the time so far and an estimate of the time left), with each failure printed above it as it happens. Not
/// on a terminal: one plain line per finished target, for logs and CI. Nothing at all for <c>--json</c>.
/// </summary>
internal sealed class FleetProgressDisplay : IProgress<FleetProgress>
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly CliEnvironment _env;
    private readonly Painter _paint;
    private readonly bool _live;
    private readonly Lock _gate = new();
    private long _lastDraw;
    private bool _drawn;
    private FleetProgress? _last;

    public FleetProgressDisplay(CliEnvironment env, Painter paint, bool live)
    {
        _env = env;
        _paint = paint;
        _live = live;
    }

    public void Report(FleetProgress value)
    {
        lock (_gate)
        {
            _last = value;
            if (value.Result is { } result)
            {
                if (!_live)
                {
                    _env.Out.WriteLine(FleetText.Line(result, value.Target.Schema is not null, _paint));
                    return;
                }

                if (result.Outcome is FleetOutcome.Failed or FleetOutcome.Cancelled)
                {
                    Clear();
                    _env.Out.WriteLine(FleetText.Line(result, value.Target.Schema is not null, _paint));
                    Draw();
                    return;
                }
            }

            if (_live && (!_drawn || _env.Time.GetElapsedTime(_lastDraw) >= RedrawInterval || value.Done == value.Total))
            {
                Draw();
            }
        }
    }

    /// <summary>Removes the live line, before the summary is written.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            Clear();
        }
    }

    private void Draw()
    {
        if (_last is not { } p)
        {
            return;
        }

        string left = p.EstimatedRemaining is { } remaining && p.Done < p.Total ? $", about {Formats.Duration(Round(remaining))} left" : string.Empty;
        string failed = p.Failed > 0 ? _paint.Red($"{p.Failed} failed") : "0 failed";
        _env.Out.Write($"\r\u001b[2K{_paint.Bold($"{p.Done}/{p.Total}")} done, {failed}, {p.Running} running, {Formats.Duration(Round(p.Elapsed))}{left}");
        _env.Out.Flush();
        _lastDraw = _env.Time.GetTimestamp();
        _drawn = true;
    }

    private void Clear()
    {
        if (_drawn)
        {
            _env.Out.Write("\r\u001b[2K");
            _env.Out.Flush();
            _drawn = false;
        }
    }

    private static TimeSpan Round(TimeSpan value) => TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));
}
