using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MigrationKit.Sources;

/// <summary>
/// Opens a script file for reading, and refuses, without waiting, what is no regular file: a FIFO named like a script
/// (which an ordinary open would wait on forever for a writer), a socket, a device, a directory.
/// </summary>
internal static class ScriptFileReader
{
    public static Stream Open(string path)
    {
        SafeFileHandle handle = OpenWithoutWaiting(path);
        try
        {
            // fstat on the handle, not stat on the path: one path lookup per file, a third of opening it.
            if ((File.GetAttributes(handle) & FileAttributes.Directory) != 0)
            {
                throw new IOException("it is a directory, not a file");
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new IOException("it is not a regular file but a FIFO, a socket or a device, and reading it could wait forever");
        }

        return stream;
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
            // Elsewhere a directory cannot be opened as a file at all: say what it is before trying.
            return Directory.Exists(path)
                ? throw new IOException("it is a directory, not a file")
                : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
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
