namespace MigrationKit.Benchmarks.Tools;

/// <summary>One way of migrating the generated folder: MigrationKit, the floor, or a peer.</summary>
internal abstract class BenchTool
{
    /// <summary>Gets the short name used on the command line (<c>--child NAME</c>) and in tables.</summary>
    public abstract string Name { get; }

    /// <summary>Gets a value indicating whether the tool can revert migrations.</summary>
    public virtual bool CanDown => false;

    /// <summary>Every pending migration of <paramref name="workload"/> onto the database; must apply exactly <paramref name="expected"/>.</summary>
    public abstract Task ApplyAsync(string connectionString, Workload workload, int expected);

    /// <summary>A start-up with nothing pending: a new runner, its connection opened, the history read.</summary>
    public virtual Task StartAsync(string connectionString, Workload workload) => ApplyAsync(connectionString, workload, expected: 0);

    /// <summary>Reverts every applied migration.</summary>
    public virtual Task DownAllAsync(string connectionString, Workload workload) =>
        throw new NotSupportedException($"{Name} cannot revert migrations.");

    /// <summary>Fails loudly: a tool did not do what the scenario needs, so its timing means nothing.</summary>
    protected Exception Wrong(string what) => new BenchmarkFailedException($"{Name}: {what}");

    /// <summary>The tools by name.</summary>
    public static BenchTool ByName(string name) => name switch
    {
        MigrationKitTool.ToolName => new MigrationKitTool(),
        FloorTool.ToolName => new FloorTool(),
        DbUpTool.ToolName => new DbUpTool(),
        EvolveTool.ToolName => new EvolveTool(),
        _ => throw new ArgumentException($"Unknown tool '{name}': use {MigrationKitTool.ToolName}, {FloorTool.ToolName}, {DbUpTool.ToolName} or {EvolveTool.ToolName}.", nameof(name)),
    };
}
