using System.Globalization;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The operating-system user that runs initdb, pg_ctl and postgres. PostgreSQL refuses to run as root, so a root
/// process runs them as the <c>postgres</c> user when it exists, else as <c>nobody</c>, through <c>setpriv</c> or
/// <c>runuser</c>; any other process runs them as itself.
/// </summary>
internal sealed class ServerUser
{
    private static readonly Lazy<Task<ServerUserResolution>> Resolution = new(ResolveAsync);

    private readonly string[] prefix;

    private ServerUser(string name, int? userId, int? groupId, string[] prefix)
    {
        Name = name;
        UserId = userId;
        GroupId = groupId;
        this.prefix = prefix;
    }

    /// <summary>Gets the user name, for messages.</summary>
    public string Name { get; }

    /// <summary>Gets the numeric user id when switching to another user; <see langword="null"/> when running as the current user.</summary>
    public int? UserId { get; }

    /// <summary>Gets the numeric group id when switching to another user; <see langword="null"/> when running as the current user.</summary>
    public int? GroupId { get; }

    /// <summary>Gets a value indicating whether commands run as another user than the current process.</summary>
    public bool SwitchesUser => prefix.Length > 0;

    /// <summary>Gets the words put before a command to run it as this user (empty when no switch is needed).</summary>
    public IReadOnlyList<string> Prefix => prefix;

    /// <summary>Resolves (once per process) the user that runs the server binaries, or why there is none.</summary>
    public static Task<ServerUserResolution> GetAsync() => Resolution.Value;

    /// <summary>Returns the command line that runs <paramref name="commandLine"/> as this user.</summary>
    public IReadOnlyList<string> Wrap(params IReadOnlyList<string> commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        return [.. prefix, .. commandLine];
    }

    /// <summary>Makes <paramref name="path"/> (not recursively) owned by this user, when it is another user.</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!SwitchesUser)
        {
            return;
        }

        var owner = string.Create(CultureInfo.InvariantCulture, $"{UserId}:{GroupId}");
        await ProcessRunner.RunCheckedAsync(["chown", owner, path], null, TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<ServerUserResolution> ResolveAsync()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return new ServerUserResolution(new ServerUser(Environment.UserName, null, null, []), null);
        }

        var tried = new List<string>();
        foreach (var name in (string[])["postgres", "nobody"])
        {
            var userId = await QueryIdAsync(name, "-u").ConfigureAwait(false);
            var groupId = userId is null ? null : await QueryIdAsync(name, "-g").ConfigureAwait(false);
            if (userId is null || groupId is null)
            {
                tried.Add($"no user '{name}'");
                continue;
            }

            if (userId == 0)
            {
                tried.Add($"user '{name}' is root");
                continue;
            }

            string[]? prefix = null;
            if (ProcessRunner.FindOnPath("setpriv") is not null)
            {
                prefix = ["setpriv", $"--reuid={userId.Value.ToString(CultureInfo.InvariantCulture)}",
                    $"--regid={groupId.Value.ToString(CultureInfo.InvariantCulture)}", "--init-groups"];
            }
            else if (ProcessRunner.FindOnPath("runuser") is not null)
            {
                prefix = ["runuser", "-u", name, "--"];
            }

            if (prefix is null)
            {
                return new ServerUserResolution(
                    null,
                    $"this process runs as root, which PostgreSQL refuses, and neither setpriv nor runuser is on PATH to run it as '{name}'");
            }

            return new ServerUserResolution(new ServerUser(name, userId, groupId, prefix), null);
        }

        return new ServerUserResolution(
            null,
            $"this process runs as root, which PostgreSQL refuses, and there is no other user to run it as ({string.Join("; ", tried)})");
    }

    private static async Task<int?> QueryIdAsync(string name, string option)
    {
        try
        {
            var result = await ProcessRunner.RunAsync(["id", option, name], null, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return result.ExitCode == 0 && int.TryParse(result.StandardOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id
                : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No 'id' program.
            return null;
        }
    }
}

/// <summary>The user that runs the server binaries, or why there is none.</summary>
internal sealed record ServerUserResolution(ServerUser? User, string? WhyNot);
