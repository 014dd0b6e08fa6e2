using System.Security.Cryptography;
using System.Text;

namespace MigrationKit.Testing.Internal;

/// <summary>
/// The folder under which local clusters and their templates live: <c>/dev/shm</c> (a memory file system, much
/// faster) when it exists with room to spare, else the temp folder; one folder per operating-system user.
/// </summary>
internal static class ClusterRoot
{
    /// <summary>The name of the root folder, before the user name.</summary>
    public const string FolderNamePrefix = "migrationkit-test-clusters-";

    private const string SharedMemoryFolder = "/dev/shm";
    private const long MinimumSharedMemoryBytes = 512L * 1024 * 1024;

    private static readonly Lazy<string> Root = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the root folder, creating it when missing.</summary>
    public static string Get()
    {
        var root = Root.Value;
        if (!Directory.Exists(root))
        {
            // Someone removed it while this process ran; make it again.
            CreateFolder(root);
        }

        return root;
    }

    /// <summary>Returns <paramref name="count"/> random bytes as lowercase hexadecimal.</summary>
    public static string RandomHex(int count) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(count));

    private static string Create()
    {
        var name = FolderNamePrefix + SanitizedUserName();
        if (HasRoomInSharedMemory())
        {
            var inSharedMemory = Path.Combine(SharedMemoryFolder, name);
            try
            {
                CreateFolder(inSharedMemory);
                return inSharedMemory;
            }
            catch (IOException)
            {
                // Fall back to the temp folder.
            }
            catch (UnauthorizedAccessException)
            {
                // Fall back to the temp folder.
            }
        }

        var inTemp = Path.Combine(Path.GetTempPath(), name);
        CreateFolder(inTemp);
        return inTemp;
    }

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        // Readable by all: when this process is root the server runs as another user, which must reach its data folder.
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(path, mode);
    }

    private static bool HasRoomInSharedMemory()
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(SharedMemoryFolder))
        {
            return false;
        }

        try
        {
            return new DriveInfo(SharedMemoryFolder).AvailableFreeSpace >= MinimumSharedMemoryBytes;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string SanitizedUserName()
    {
        var builder = new StringBuilder();
        foreach (var c in Environment.UserName)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
        }

        return builder.Length == 0 ? "user" : builder.ToString();
    }
}
