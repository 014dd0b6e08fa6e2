using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// Whether <see cref="PostgresServer"/> may fall back to a Testcontainers container. Testcontainers serialises with
/// System.Text.Json reflection, which is neither trim- nor AOT-safe, so the container path is compiled only where
/// code can be generated at run time: a Native AOT app (the native <c>migrationkit</c>, an app with PublishAot) has
/// no container path, no Testcontainers code and none of its warnings, with nothing to set. A trimmed app on the JIT
/// (PublishTrimmed) turns it off with the feature switch <c>MigrationKit.Testing.Containers.IsSupported</c>:
/// <c>&lt;RuntimeHostConfigurationOption Include="MigrationKit.Testing.Containers.IsSupported" Value="false" Trim="true" /&gt;</c>.
/// A connection string and a private cluster from the local binaries work either way.
/// </summary>
internal static class ContainerSupport
{
    /// <summary>The name of the switch, for <c>RuntimeHostConfigurationOption</c> or <c>AppContext.SetSwitch</c>.</summary>
    public const string SwitchName = "MigrationKit.Testing.Containers.IsSupported";

    /// <summary>What a trimmed app that removed the container path is told when the other kinds fail.</summary>
    public const string DisabledReason = $"containers are turned off in this build (a Native AOT app, or the feature switch {SwitchName} set to false)";

    /// <summary>
    /// Gets a value indicating whether containers are allowed: the switch's value, true when unset. The trimmer reads
    /// it as a constant when an app sets the switch, and removes what it guards. Callers check
    /// <see cref="RuntimeFeature.IsDynamicCodeSupported"/> first, which removes the container path from a Native AOT
    /// app without any switch (and tells the AOT analyzer that the path is guarded).
    /// </summary>
    [FeatureSwitchDefinition(SwitchName)]
    public static bool IsEnabled => !AppContext.TryGetSwitch(SwitchName, out bool enabled) || enabled;
}
