using System.Runtime.InteropServices;

namespace MigrationKit.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancelled token, so the engine rolls back the migration in
/// progress and releases its lock, and the command exits with 130 (or 143). A second signal ends the process at once.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _exitCode;

    private Interruption()
    {
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Gets the exit code for the signal received: 130 for SIGINT, 143 for SIGTERM.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode) is var code and not 0 ? code : ExitCodes.Interrupted;

    /// <summary>Listens to SIGINT and SIGTERM.</summary>
    public static Interruption FromSignals()
    {
        var interruption = new Interruption();
        interruption._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, interruption.OnSignal));
        interruption._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, interruption.OnSignal));
        return interruption;
    }

    /// <summary>Listens to nothing: <see cref="Interrupt"/> stands in for a signal.</summary>
    public static Interruption Manual() => new();

    public void Interrupt(int exitCode = ExitCodes.Interrupted)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) == 0)
        {
            // Cancellation callbacks (Npgsql sends the server a cancel request) run off the signal thread.
            _ = _cancellation.CancelAsync();
        }
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Volatile.Read(ref _exitCode) != 0)
        {
            // The second signal: let the runtime end the process. The server rolls back what the connection left open.
            return;
        }

        context.Cancel = true;
        Interrupt(context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted);
    }
}
