using System.Diagnostics.CodeAnalysis;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The feature switch that removes containers (Testcontainers, Docker.DotNet) from an application that never starts
/// one: with <c>&lt;RuntimeHostConfigurationOption Include="MigrationKit.Testing.ContainerSupport" Value="false"
/// Trim="true" /&gt;</c> the trimmer and the native AOT compiler treat <see cref="IsEnabled"/> as false and drop the
/// container path, so nothing of Testcontainers is analysed or shipped. Containers are supported unless it is set.
/// </summary>
internal static class ContainerSupport
{
    public const string SwitchName = "MigrationKit.Testing.ContainerSupport";

    [FeatureSwitchDefinition(SwitchName)]
    public static bool IsEnabled => !AppContext.TryGetSwitch(SwitchName, out var enabled) || enabled;
}
