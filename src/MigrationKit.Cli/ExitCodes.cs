namespace MigrationKit.Cli;

/// <summary>The exit codes of <c>migrationkit</c>, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed: a migration failed, validation found errors, the database refused, a question was answered no.</summary>
    public const int Failed = 1;

    /// <summary>The command line cannot be used: an unknown command or option, a malformed database URL, a missing database.</summary>
    public const int Usage = 2;

    /// <summary><c>status</c>: the database is dirty (a script outside a transaction was interrupted or failed).</summary>
    public const int Dirty = 3;

    /// <summary><c>status --exit-code</c>: migrations are pending (as <c>git diff --exit-code</c> reports differences).</summary>
    public const int Pending = 4;

    /// <summary>Interrupted by Ctrl+C (SIGINT): 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;
}
