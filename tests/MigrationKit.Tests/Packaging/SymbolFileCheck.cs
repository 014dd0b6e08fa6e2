using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;

namespace MigrationKit.Tests.Packaging;

/// <summary>
/// Reads what a debugger reads to step into MigrationKit's source: the SourceLink record and the document paths of a
/// portable PDB, and the PDB path and commit a DLL names. Returns every problem found, as sentences.
/// </summary>
internal static class SymbolFileCheck
{
    /// <summary>The prefix ContinuousIntegrationBuild maps the repository root to (the SDK's deterministic source root).</summary>
    public const string DeterministicRoot = "/_/";

    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    /// <summary>Gets the repository URL the build was given (Directory.Build.props), from this assembly's metadata.</summary>
    public static string RepositoryUrl => BuildMetadata("RepositoryUrl");

    /// <summary>Gets a value indicating whether this test assembly, and the libraries built with it, were built with CI=true.</summary>
    public static bool IsContinuousIntegrationBuild =>
        string.Equals(BuildMetadata("ContinuousIntegrationBuild"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks a DLL and its PDB: the PDB's SourceLink record maps the deterministic root, and nothing else, to the
    /// public repository's raw files at the commit the DLL was built from; every document is under that root; the
    /// documents that are not in the repository (generated ones under <c>obj/</c>) are embedded; the DLL names its
    /// PDB without a machine path.
    /// </summary>
    public static IReadOnlyList<string> Check(string name, Stream dll, Stream pdb)
    {
        var problems = new List<string>();
        var commit = ReadDll(name, dll, problems);

        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var expected = RawContentUrl(RepositoryUrl, commit ?? "(the commit)");
        string? sourceLink = null;
        foreach (var handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == SourceLinkKind)
            {
                sourceLink = Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
            }
        }

        if (sourceLink is null)
        {
            problems.Add($"{name}: the PDB has no SourceLink record, so a debugger cannot fetch the source.");
        }
        else
        {
            using var json = JsonDocument.Parse(sourceLink);
            var documents = json.RootElement.GetProperty("documents").EnumerateObject().Select(p => (p.Name, Url: p.Value.GetString())).ToList();
            if (documents is not [(DeterministicRoot + "*", var url)] || !string.Equals(url, expected, StringComparison.Ordinal))
            {
                problems.Add($"{name}: the SourceLink record is {sourceLink}; expected {{\"documents\":{{\"{DeterministicRoot}*\":\"{expected}\"}}}}.");
            }
        }

        var machinePaths = new List<string>();
        foreach (var handle in reader.Documents)
        {
            var path = reader.GetString(reader.GetDocument(handle).Name);
            if (!path.StartsWith(DeterministicRoot, StringComparison.Ordinal))
            {
                machinePaths.Add(path);
            }
            else if (path.Contains("/obj/", StringComparison.Ordinal) && !IsEmbedded(reader, handle))
            {
                problems.Add($"{name}: the generated file '{path}' is not in the repository and not embedded in the PDB.");
            }
        }

        if (machinePaths.Count > 0)
        {
            problems.Add($"{name}: the PDB carries {machinePaths.Count} machine paths, such as '{machinePaths[0]}'.");
        }

        return problems;
    }

    /// <summary>
    /// Checks the PDB of every MigrationKit DLL in the packages in <paramref name="folder"/> (from the symbol package, or
    /// the package itself for the tool, which carries its PDBs), with its DLL. The tool's dependencies are not ours to check.
    /// </summary>
    public static IReadOnlyList<string> CheckPackages(string folder, out int checkedCount)
    {
        var problems = new List<string>();
        checkedCount = 0;
        foreach (var package in Directory.GetFiles(folder, "*.nupkg").Order(StringComparer.Ordinal))
        {
            var symbols = Path.ChangeExtension(package, ".snupkg");
            using var dlls = ZipFile.OpenRead(package);
            using var pdbs = File.Exists(symbols) ? ZipFile.OpenRead(symbols) : null;
            var ours = dlls.Entries.Where(e => e.Name.StartsWith("MigrationKit.", StringComparison.Ordinal) && e.Name.EndsWith(".dll", StringComparison.Ordinal));
            foreach (var dll in ours)
            {
                var pdbPath = Path.ChangeExtension(dll.FullName, ".pdb");
                var pdb = pdbs?.GetEntry(pdbPath) ?? dlls.GetEntry(pdbPath);
                var name = $"{Path.GetFileName(package)}: {dll.FullName}";
                if (pdb is null)
                {
                    problems.Add($"{name}: no PDB in the package or its symbol package.");
                    continue;
                }

                problems.AddRange(Check(name, Buffer(dll), Buffer(pdb)));
                checkedCount++;
            }
        }

        return problems;
    }

    /// <summary>The URL SourceLink's GitHub provider maps a repository's files to: its raw content at one commit.</summary>
    public static string RawContentUrl(string repositoryUrl, string commit)
    {
        var path = new Uri(repositoryUrl).AbsolutePath.Trim('/');
        if (path.EndsWith(".git", StringComparison.Ordinal))
        {
            path = path[..^4];
        }

        return $"https://raw.githubusercontent.com/{path}/{commit}/*";
    }

    /// <summary>Reads the DLL's CodeView PDB path (checked for a machine path) and the commit in its informational version.</summary>
    private static string? ReadDll(string name, Stream dll, List<string> problems)
    {
        using var pe = new PEReader(dll);
        foreach (var entry in pe.ReadDebugDirectory().Where(e => e.Type == DebugDirectoryEntryType.CodeView))
        {
            var pdbPath = pe.ReadCodeViewDebugDirectoryData(entry).Path;
            if (!pdbPath.StartsWith(DeterministicRoot, StringComparison.Ordinal))
            {
                problems.Add($"{name}: the DLL names its PDB by the machine path '{pdbPath}'.");
            }
        }

        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var type = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (type.Kind != HandleKind.TypeReference
                || metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)type).Name) != nameof(AssemblyInformationalVersionAttribute))
            {
                continue;
            }

            // The blob: prolog 0x0001, then the one string argument.
            var blob = metadata.GetBlobReader(attribute.Value);
            blob.ReadUInt16();
            var version = blob.ReadSerializedString() ?? string.Empty;
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            if (plus >= 0 && version[(plus + 1)..] is { Length: 40 } commit && commit.All(char.IsAsciiHexDigitLower))
            {
                return commit;
            }

            problems.Add($"{name}: the informational version '{version}' names no commit.");
            return null;
        }

        problems.Add($"{name}: the DLL has no informational version.");
        return null;
    }

    private static bool IsEmbedded(MetadataReader reader, DocumentHandle document) =>
        reader.GetCustomDebugInformation(document).Any(h => reader.GetGuid(reader.GetCustomDebugInformation(h).Kind) == EmbeddedSourceKind);

    private static MemoryStream Buffer(ZipArchiveEntry entry)
    {
        var buffer = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        return buffer;
    }

    private static string BuildMetadata(string key) =>
        typeof(SymbolFileCheck).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value ?? string.Empty;
}
