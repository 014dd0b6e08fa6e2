using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MigrationKit.Sources;

/// <summary>
/// Reads a script file whole, and refuses, without waiting, what is no regular file: a FIFO named like a script (which
/// <see cref="File.ReadAllBytes(string)"/> would wait on forever for a writer), a socket, a device, a directory.
/// </summary>
internal static class ScriptFileReader
{
    public static byte[] Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException("it is a directory, not a file");
        }

        using SafeFileHandle handle = OpenWithoutWaiting(path);
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        if (!stream.CanSeek)
        {
            throw new IOException("it is not a regular file but a FIFO, a socket or a device, and reading it could wait forever");
        }

        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        if (stream.ReadByte() != -1)
        {
            throw new IOException("it grew while it was read, or it is a device rather than a regular file");
        }

        return bytes;
    }

    /// <summary>
    /// Opens for reading. On Unix with O_NONBLOCK, so that opening a FIFO does not wait for a writer (the flag changes
    /// nothing for a regular file); elsewhere as usual.
    /// </summary>
    private static SafeFileHandle OpenWithoutWaiting(string path)
    {
        int nonBlock = OperatingSystem.IsLinux() ? 0x800 : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 0x4 : 0;
        if (nonBlock == 0)
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }

        int descriptor = Open([.. System.Text.Encoding.UTF8.GetBytes(path), 0], nonBlock);
        if (descriptor < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw error switch
            {
                1 or 13 => new UnauthorizedAccessException("permission denied"),
                2 => new FileNotFoundException("it does not exist, or is a link to nothing", path),
                _ => new IOException(Marshal.GetPInvokeErrorMessage(error)),
            };
        }

        return new SafeFileHandle(descriptor, ownsHandle: true);
    }

    // A byte array (the NUL-terminated UTF-8 path) is blittable: no marshalling code, no unsafe code.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open(byte[] path, int flags);
}
