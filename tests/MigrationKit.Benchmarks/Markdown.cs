using System.Globalization;
using System.Text;

namespace MigrationKit.Benchmarks;

/// <summary>Builds the report: Markdown tables, printed and written to a file.</summary>
internal sealed class Markdown
{
    private readonly StringBuilder _text = new();

    public void Heading(string text) => _text.Append("\n## ").Append(text).Append("\n\n");

    public void Paragraph(string text) => _text.Append(text).Append("\n\n");

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _text.Append("| ").AppendJoin(" | ", headers).Append(" |\n");
        _text.Append('|').AppendJoin('|', headers.Select((h, i) => i == 0 ? " --- " : " ---: ")).Append("|\n");
        foreach (IReadOnlyList<string> row in rows)
        {
            _text.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }

        _text.Append('\n');
    }

    public override string ToString() => _text.ToString();

    public static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    public static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("F2", CultureInfo.InvariantCulture) + "×";

    public static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
