using System.Globalization;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// A detached shell process that waits until the owning (test) process is gone, then stops the cluster's postmaster
/// with <c>pg_ctl stop -m immediate</c> (or kills the PgBouncer whose <c>pgbouncer.pid</c> the folder holds) and
/// deletes the cluster folder; it exits by itself as soon as the folder
/// is deleted (a normal dispose). Its standard streams are <c>/dev/null</c> and it runs in its own session, so it
/// never holds the test run's output pipes open nor receives the terminal's signals.
/// </summary>
internal static class ClusterWatchdog
{
    // $1 owner pid, $2 cluster folder, $3 pg_ctl; the rest is the prefix that runs pg_ctl as the server user.
    private const string Script = """
        owner=$1; dir=$2; pgctl=$3; shift 3
        cd / || exit 1
        alive() {
          kill -0 "$owner" 2>/dev/null || return 1
          if [ -r "/proc/$owner/stat" ]; then
            read -r stat < "/proc/$owner/stat" || return 0
            state=${stat##*) }; state=${state%% *}
            case "$state" in Z|X) return 1 ;; esac
          fi
          return 0
        }
        while alive && [ -d "$dir" ]; do sleep 0.5 2>/dev/null || sleep 1; done
        [ -d "$dir" ] || exit 0
        if [ -f "$dir/data/postmaster.pid" ]; then
          "$@" "$pgctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null 2>&1
        fi
        if [ -f "$dir/pgbouncer.pid" ]; then
          read -r pid < "$dir/pgbouncer.pid"
          case "$pid" in
            ''|*[!0-9]*) ;;
            *) if grep -qF "$dir" "/proc/$pid/cmdline" 2>/dev/null; then kill -9 "$pid" 2>/dev/null; fi ;;
          esac
        fi
        rm -rf "$dir"
        """;

    /// <summary>
    /// Starts the watchdog for the cluster (or PgBouncer) folder <paramref name="clusterFolder"/>, owned by
    /// <paramref name="ownerProcessId"/>; <paramref name="pgCtl"/> stops a postmaster found there.
    /// </summary>
    public static async Task StartAsync(
        int ownerProcessId, string clusterFolder, string pgCtl, ServerUser user, CancellationToken cancellationToken = default)
    {
        // The outer shell starts the watchdog in the background with its streams on /dev/null and exits at once, so the
        // watchdog is not a child of this process and shares no pipe with it.
        List<string> commandLine = ["sh", "-c", "\"$@\" </dev/null >/dev/null 2>&1 &", "migrationkit-spawn"];
        if (ProcessRunner.FindOnPath("setsid") is not null)
        {
            commandLine.Add("setsid");
        }

        commandLine.AddRange(
        [
            "sh", "-c", Script.ReplaceLineEndings("\n"), "migrationkit-watchdog",
            ownerProcessId.ToString(CultureInfo.InvariantCulture), clusterFolder, pgCtl,
        ]);
        commandLine.AddRange(user.Prefix);
        await ProcessRunner.RunCheckedAsync(commandLine, "/", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }
}
