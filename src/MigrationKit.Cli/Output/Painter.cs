namespace MigrationKit.Cli.Output;

/// <summary>ANSI colours for one stream, or plain text when that stream gets none.</summary>
internal sealed class Painter(bool enabled)
{
    public bool Enabled { get; } = enabled;

    public string Bold(string text) => Paint(text, "1");

    public string Dim(string text) => Paint(text, "2");

    public string Red(string text) => Paint(text, "31");

    public string Green(string text) => Paint(text, "32");

    public string Yellow(string text) => Paint(text, "33");

    public string Magenta(string text) => Paint(text, "35");

    public string Cyan(string text) => Paint(text, "36");

    private string Paint(string text, string code) => Enabled && text.Length > 0 ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
