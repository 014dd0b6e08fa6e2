namespace MigrationKit.Tests.Packaging;

/// <summary>
/// The PDBs users get step into MigrationKit's source: a SourceLink record to the public repository at the built commit,
/// and no path of the machine that built them (CI builds are deterministic).
/// </summary>
public sealed class SymbolPackageTests
{
    /// <summary>Set by .ci/run to the folder it packed into.</summary>
    private const string PackagesVariable = "MIGRATIONKIT_PACKAGES";

    [Test]
    public void Packed_pdbs_carry_a_SourceLink_record_to_the_public_repository_and_no_machine_path()
    {
        var folder = Environment.GetEnvironmentVariable(PackagesVariable);
        if (string.IsNullOrEmpty(folder))
        {
            Assert.Ignore($"{PackagesVariable} is not set: .ci/run sets it to the folder it packs into (or: CI=true dotnet pack -c Release -o DIR, then set it to DIR).");
        }

        var problems = SymbolFileCheck.CheckPackages(folder, out var checkedCount);

        string.Join(Environment.NewLine, problems).Should().BeEmpty("each line is a problem a debugger would hit");
        checkedCount.Should().Be(5, "MigrationKit and MigrationKit.Testing are packed, and the tool carries MigrationKit.Cli, MigrationKit and MigrationKit.Testing");
    }

    [Test]
    public void The_pdb_of_a_CI_build_carries_a_SourceLink_record_to_the_public_repository_and_no_machine_path()
    {
        if (!SymbolFileCheck.IsContinuousIntegrationBuild)
        {
            Assert.Ignore("Built without CI=true: a developer's build keeps the machine's paths, so the debugger opens the local files. Build with CI=true to check.");
        }

        var dll = typeof(MigrationRunner).Assembly.Location;
        using var dllStream = File.OpenRead(dll);
        using var pdbStream = File.OpenRead(Path.ChangeExtension(dll, ".pdb"));

        var problems = SymbolFileCheck.Check(Path.GetFileName(dll), dllStream, pdbStream);

        string.Join(Environment.NewLine, problems).Should().BeEmpty("each line is a problem a debugger would hit");
    }
}
