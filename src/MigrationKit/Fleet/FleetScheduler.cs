namespace MigrationKit.Fleet;

/// <summary>
/// Starts work items in their order, at most <c>parallelism</c> at once and at most <c>maxPerServer</c> of one server at
/// once (the first waiting item whose server has room starts next), as long as <c>tryStart</c> lets each one start
/// (it is asked synchronously, just before the item starts, so it can record the start under its own lock); then waits
/// for those running. Returns the items it never started.
/// </summary>
internal static class FleetScheduler
{
    public static async Task<IReadOnlyList<T>> RunAsync<T>(
        IReadOnlyList<T> items,
        Func<T, string> serverOf,
        int parallelism,
        int maxPerServer,
        Func<T, Task> work,
        Func<T, bool> tryStart)
    {
        var waiting = new List<T>(items);
        var running = new List<(Task Task, string Server)>(parallelism);
        var perServer = new Dictionary<string, int>(StringComparer.Ordinal);
        bool starting = true;
        while (true)
        {
            while (starting && running.Count < parallelism && waiting.Count > 0)
            {
                int next = waiting.FindIndex(item => perServer.GetValueOrDefault(serverOf(item)) < maxPerServer);
                if (next < 0)
                {
                    break;
                }

                T item = waiting[next];
                if (!tryStart(item))
                {
                    starting = false;
                    break;
                }

                waiting.RemoveAt(next);
                string server = serverOf(item);
                perServer[server] = perServer.GetValueOrDefault(server) + 1;
                running.Add((Task.Run(() => work(item)), server));
            }

            if (running.Count == 0)
            {
                return waiting;
            }

            Task done = await Task.WhenAny(running.Select(r => r.Task)).ConfigureAwait(false);
            int index = running.FindIndex(r => r.Task == done);
            perServer[running[index].Server]--;
            running.RemoveAt(index);
            await done.ConfigureAwait(false);
        }
    }
}
