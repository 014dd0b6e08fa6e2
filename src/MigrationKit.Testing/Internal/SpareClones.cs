using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Clones of a template made ahead of the call that needs them: after each throwaway database is handed out, the
/// next one is cloned in the background, so the next call takes a ready database instead of waiting for
/// <c>CREATE DATABASE</c>. At most <c>perTemplate</c> are ready or being made for each template.
/// </summary>
/// <remarks>
/// A spare is also connected to once, through Npgsql with the very connection string the test will be given, and
/// the connection returned to Npgsql's pool: the test's first <c>OpenAsync</c> then takes it instead of waiting
/// for a PostgreSQL backend to start and for Npgsql to load the new database's types, which together cost more
/// than the clone itself.
/// </remarks>
/// <remarks>
/// A spare is an ordinary clone, marked with this process in its comment like every clone, so the stale-database
/// cleanup drops it if the process dies; <see cref="StopAsync"/> hands back the ones left unused.
/// </remarks>
internal sealed class SpareClones(DatabaseTemplates templates, Func<string, string> connectionStringFor, int perTemplate, ILogger logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Spares> byTemplate = new(StringComparer.Ordinal);
    private readonly List<Task> making = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private bool stopped;

    /// <summary>Takes a ready clone of <paramref name="template"/>, or returns <see langword="null"/> when none is ready.</summary>
    public string? TryTake(string template) =>
        byTemplate.TryGetValue(template, out var spares) && spares.Ready.TryDequeue(out var name) ? name : null;

    /// <summary>Starts cloning <paramref name="template"/> in the background until enough spares are ready or under way.</summary>
    public void Refill(string template)
    {
        if (perTemplate <= 0)
        {
            return;
        }

        var spares = byTemplate.GetOrAdd(template, _ => new Spares());
        lock (gate)
        {
            // Under the lock, so StopAsync sees every task started before it and none starts after it.
            making.RemoveAll(task => task.IsCompleted);
            while (!stopped && spares.Ready.Count + spares.UnderWay < perTemplate)
            {
                spares.UnderWay++;
                making.Add(Task.Run(() => MakeAsync(template, spares, stopping.Token)));
            }
        }
    }

    /// <summary>Stops making spares, waits for the clones under way, and returns the names of every unused spare.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        Task[] underWay;
        lock (gate)
        {
            stopped = true;
            underWay = [.. making];
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(underWay).ConfigureAwait(false);
        var unused = new List<string>();
        foreach (var spares in byTemplate.Values)
        {
            while (spares.Ready.TryDequeue(out var name))
            {
                unused.Add(name);
            }
        }

        return unused;
    }

    /// <summary>
    /// Closes the warm pooled connections of the ready spares, after a server restart ended them: the test that takes a
    /// spare then opens a new connection instead of getting one the restart broke.
    /// </summary>
    public void ClearPools()
    {
        foreach (var spares in byTemplate.Values)
        {
            foreach (var name in spares.Ready)
            {
                ServerQueries.ClearPool(connectionStringFor(name));
            }
        }
    }

    /// <summary>Releases the cancellation source; call after <see cref="StopAsync"/>.</summary>
    public void Dispose() => stopping.Dispose();

    private async Task MakeAsync(string template, Spares spares, CancellationToken cancellationToken)
    {
        try
        {
            var name = DatabaseNames.Create(DatabaseNames.DefaultPrefix);
            try
            {
                await templates.CloneAsync(template, name, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The server is being disposed; PostgreSQL rolls back the CREATE the cancellation caught.
                return;
            }
            catch (NpgsqlException exception)
            {
                // Only a head start is lost: the next call clones on its own and reports what is wrong.
                Log.SpareDatabaseFailed(logger, template, exception);
                return;
            }

            try
            {
                var connection = new NpgsqlConnection(connectionStringFor(name));
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is NpgsqlException || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // The database is made and usable; only the warm connection is missing. The test's own
                // connection reports whatever is wrong.
            }

            spares.Ready.Enqueue(name);
            Log.SpareDatabaseCreated(logger, name, template);
        }
        finally
        {
            lock (gate)
            {
                spares.UnderWay--;
            }
        }
    }

    private sealed class Spares
    {
        public readonly ConcurrentQueue<string> Ready = new();

        public int UnderWay;
    }
}
