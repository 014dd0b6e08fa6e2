namespace MigrationKit.Running;

/// <summary>What a run is asked to do.</summary>
internal readonly record struct MigrationIntent(MigrationIntentKind Kind, int Steps, long Target, MigrationPhase? Phase = null)
{
    public static MigrationIntent Up(int steps, MigrationPhase? phase = null) => new(MigrationIntentKind.Up, steps, long.MaxValue, phase);

    public static MigrationIntent Down(int steps) => new(MigrationIntentKind.Down, steps, MigrationVersion.None);

    public static MigrationIntent Goto(long version) => new(MigrationIntentKind.Goto, int.MaxValue, version);

    public string Name => Kind switch
    {
        MigrationIntentKind.Up => Steps == int.MaxValue ? "up" : $"up {Steps}",
        MigrationIntentKind.Down => Steps == int.MaxValue ? "down" : $"down {Steps}",
        _ => $"goto {Target}",
    };
}

/// <summary>The kinds of run that execute scripts.</summary>
internal enum MigrationIntentKind
{
    Up,
    Down,
    Goto,
}
