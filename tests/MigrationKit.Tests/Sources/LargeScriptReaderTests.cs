using System.Text;
using MigrationKit.Sources;

namespace MigrationKit.Tests.Sources;

/// <summary>Scripts above <see cref="LargeScriptReader.Threshold"/> are read in chunks; they must read exactly as small ones do.</summary>
public sealed class LargeScriptReaderTests
{
    private const int Chunk = 1 << 16;

    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mk-large-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task A_large_script_reads_to_the_same_text_and_checksum_as_the_whole_file_path()
    {
        // A BOM, CRLF split across a chunk boundary, a lone CR at a boundary, characters of 2, 3 and 4 bytes split
        // across boundaries, and a CR as the very last byte.
        var raw = new List<byte>(Encoding.UTF8.GetPreamble());
        var random = new Random(7);
        string[] pieces = ["SELECT 1;", "\r\n", "\r", "é", "€", "𝄞", "'x'", " -- comment\n", "$$body$$;"];
        while (raw.Count < LargeScriptReader.Threshold + (3 * Chunk))
        {
            int boundary = ((raw.Count / Chunk) + 1) * Chunk;
            if (boundary - raw.Count is 1 or 2 or 3)
            {
                // Straddle the boundary with something multi-byte.
                raw.AddRange(Encoding.UTF8.GetBytes(pieces[random.Next(1, 6)]));
                continue;
            }

            raw.AddRange(Encoding.UTF8.GetBytes(pieces[random.Next(pieces.Length)]));
        }

        raw.Add((byte)'\r');
        byte[] bytes = [.. raw];
        File.WriteAllBytes(Path.Combine(_dir, "1_big.up.sql"), bytes);

        Migration migration = (await new FileSystemMigrationSource(_dir).LoadAsync()).Single();

        string expected = MigrationScript.Normalize(Encoding.UTF8.GetString(bytes));
        migration.Up.Sql.Should().Be(expected);
        // Hashed as normalised once ("\r\r\n" stays "\r\n"), as the whole-file path does.
        migration.Up.Checksum.Should().Be(Sha256(expected));
        using var stream = new MemoryStream(bytes);
        LargeScriptReader.TryRead(stream, out string chunked, out _).Should().BeTrue("the chunked path must not have fallen back");
        chunked.Should().Be(expected);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void A_crlf_or_a_character_cut_by_a_chunk_boundary_is_read_whole(int shift)
    {
        // No BOM: the raw chunk boundaries are exact multiples of the chunk size.
        var text = new StringBuilder();
        text.Append('a', Chunk - 1 - shift).Append("\r\n").Append('b', Chunk - 2).Append("𝄞").Append("\rc").Append('d', LargeScriptReader.Threshold);
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        using var stream = new MemoryStream(bytes);

        LargeScriptReader.TryRead(stream, out string read, out string checksum).Should().BeTrue();

        string expected = text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        read.Should().Be(expected);
        checksum.Should().Be(Sha256(expected));
    }

    [Test]
    public void A_file_whose_length_is_a_multiple_of_the_chunk_size_and_ends_in_cr_keeps_the_cr()
    {
        byte[] bytes = [.. Enumerable.Repeat((byte)'x', (Chunk * 20) - 1), (byte)'\r'];
        using var stream = new MemoryStream(bytes);

        LargeScriptReader.TryRead(stream, out string read, out _).Should().BeTrue();

        read.Should().HaveLength(bytes.Length).And.EndWith("x\r");
    }

    [Test]
    public async Task Invalid_utf8_in_a_large_script_is_still_reported_with_its_line()
    {
        var raw = new List<byte>();
        for (int line = 1; raw.Count <= LargeScriptReader.Threshold; line++)
        {
            raw.AddRange(Encoding.UTF8.GetBytes($"SELECT {line};\n"));
        }

        int lines = raw.Count(b => b == (byte)'\n');
        raw.AddRange([.. Encoding.UTF8.GetBytes("SELECT '"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("';\n")]);
        File.WriteAllBytes(Path.Combine(_dir, "1_bad.up.sql"), [.. raw]);

        Func<Task> load = async () => await new FileSystemMigrationSource(_dir).LoadAsync();

        ValidationProblem problem = (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single();
        problem.Code.Should().Be(ValidationCode.UnreadableScript);
        problem.Line.Should().Be(lines + 1);
        problem.Column.Should().Be(9);
    }

    [Test]
    public async Task A_nul_in_a_large_script_is_still_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "1_nul.up.sql"), new string('x', LargeScriptReader.Threshold) + "SELECT 1;\0");

        Func<Task> load = async () => await new FileSystemMigrationSource(_dir).LoadAsync();

        (await load.Should().ThrowAsync<MigrationValidationException>()).Which.Problems.Single().Message.Should().Contain("NUL");
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
