using System.CommandLine;

namespace MigrationKit.Cli.Commands;

/// <summary>Gives a command its action, run with a <see cref="CommandContext"/> and the interruption token; returns the exit code.</summary>
internal delegate void CommandBinder(Command command, Func<CommandContext, CancellationToken, Task<int>> action);
