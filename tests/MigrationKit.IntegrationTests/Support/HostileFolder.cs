namespace MigrationKit.IntegrationTests.Support;

/// <summary>A temporary migrations folder that may hold anything: odd names, raw bytes, links, FIFOs, directories.</summary>
public sealed class HostileFolder : IDisposable
{
    public HostileFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mk-hostile-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public HostileFolder Write(string fileName, string text)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), text);
        return this;
    }

    public HostileFolder WriteBytes(string fileName, byte[] bytes)
    {
        File.WriteAllBytes(System.IO.Path.Combine(Path, fileName), bytes);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
