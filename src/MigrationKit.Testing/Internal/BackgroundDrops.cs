using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Drops disposed throwaway databases one after another on a background task, so a test's dispose does not wait
/// for <c>DROP DATABASE</c> (and the checkpoint or file removal behind it). The server's dispose drains the queue.
/// </summary>
internal sealed class BackgroundDrops : IDisposable
{
    private readonly Channel<string> queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<string, CancellationToken, Task> drop;
    private readonly ILogger logger;
    private readonly CancellationTokenSource abandon = new();
    private readonly Task worker;

    public BackgroundDrops(Func<string, CancellationToken, Task> drop, ILogger logger)
    {
        this.drop = drop;
        this.logger = logger;
        worker = Task.Run(DrainAsync);
    }

    /// <summary>Queues <paramref name="database"/> to be dropped; returns at once.</summary>
    /// <returns><see langword="false"/> when the queue is closed (the server is being disposed).</returns>
    public bool Enqueue(string database)
    {
        if (!queue.Writer.TryWrite(database))
        {
            return false;
        }

        Log.DatabaseDropQueued(logger, database);
        return true;
    }

    /// <summary>
    /// Closes the queue and waits for the worker: with <paramref name="drain"/> every queued database is dropped
    /// first; without, the queued drops are abandoned (the server and its data are about to be deleted anyway).
    /// </summary>
    public async Task StopAsync(bool drain)
    {
        queue.Writer.TryComplete();
        if (!drain)
        {
            await abandon.CancelAsync().ConfigureAwait(false);
        }

        await worker.ConfigureAwait(false);
    }

    /// <summary>Releases the cancellation source; call after <see cref="StopAsync"/>.</summary>
    public void Dispose() => abandon.Dispose();

    private async Task DrainAsync()
    {
        await foreach (var database in queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (abandon.IsCancellationRequested)
            {
                continue;
            }

            try
            {
                await drop(database, abandon.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                // Abandoned by StopAsync: the server is going away with the database.
            }
            catch (NpgsqlException exception)
            {
                // Left for the stale cleanup of a later run, which drops it once this process has exited.
                Log.DatabaseDropFailed(logger, database, exception);
            }
        }
    }
}
