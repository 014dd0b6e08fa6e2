using System.Globalization;
using System.Text;

namespace MigrationKit.IntegrationTests.Sql;

/// <summary>
/// Seeded generator of PostgreSQL scripts whose every statement is valid on its own (given the statements before it):
/// tables with hostile quoted identifiers, INSERTs and UPDATEs with tricky strings (standard, E-strings, dollar quotes,
/// U&amp; strings, strings continued over a newline), DO blocks, plpgsql and BEGIN ATOMIC functions and procedures, a
/// rule with several actions in parentheses, comments holding semicolons and quotes between any two tokens; and, when
/// asked, <c>COPY ... FROM STDIN</c> statements with data blocks (text and CSV) full of SQL-looking text.
/// </summary>
/// <remarks>
/// A psql-compatible grammar leaves out the two constructs where psql and the server split a script differently (an
/// <c>E'...'</c> string continued on the next line, a parameter named <c>begin</c> in a <c>BEGIN ATOMIC</c> body), so
/// that psql can be the oracle.
/// </remarks>
internal sealed class SqlStatementGrammar
{
    private static readonly string[] StandardContent = ["a", ";", "''", "--", "/*", "*/", "$$", "$a$", "\\", "\"", "é", "😀", " ", "\n", "E''", "BEGIN", "END;"];
    private static readonly string[] EscapeContent = ["a", ";", "''", "\\'", "\\\\", "\\n", "\\t", "--", "/*", "$$", "\\x41", "\\u00e9", "\"", " ", "\n"];
    private static readonly string[] DollarContent = ["a", ";", "'", "''", "\"", "$", "$b$", "--", "/*", "*/", "\\", " ", "\n", "END;", "$1"];
    private static readonly string[] DollarTags = ["", "a", "_x1", "fn", "Z", "é"];
    private static readonly string[] IdentifierContent = ["a", ";", "\"\"", "'", " ", "$$", "--", "/*", "é", "表", ")", "("];
    private static readonly string[] Junk = [" ", "\n", "\t", "  ", "\r\n", "-- c;'\"$$ /*\n", "/* c; ' \" $$ -- */", "/* n /* e; s */ t */", "\n-- ;\n"];

    private static readonly string[] DataContent = ["a", ";", "'", "''", "\"", "\\", "$$", "--", "/*", "*/", "é", "😀", " ", "\t", "\n", "\r", "\\.", "\\N", ",", "COPY t FROM stdin;", "\\set x"];
    private static readonly string[] SameLineJunk = [" ", "\t", " -- data follows; 'x' $$", " /* ; */"];

    private readonly Random _random;
    private readonly bool _psqlCompatible;
    private readonly bool _withCopy;
    private readonly List<Table> _tables = [];
    private int _names;

    public SqlStatementGrammar(int seed, bool psqlCompatible = false, bool withCopy = false)
    {
        _random = new Random(seed);
        _psqlCompatible = psqlCompatible;
        _withCopy = withCopy;
    }

    /// <summary>A script of 1 to 8 statements separated by semicolons, whitespace and comments; the last semicolon is optional.</summary>
    public string Script()
    {
        _tables.Clear();
        var script = new StringBuilder();
        int count = _random.Next(1, 9);
        script.Append(Junk0());
        for (int i = 0; i < count; i++)
        {
            if (_withCopy && _tables.Count > 0 && _random.Next(3) == 0)
            {
                // The statement ends at its semicolon; its data starts on the next line and ends at a line \.
                bool crlf = _random.Next(4) == 0;
                script.Append(CopyHead(out bool csv)).Append(Junk0()).Append(';');
                script.Append(_random.Next(2) == 0 ? Pick(SameLineJunk) : string.Empty).Append(crlf ? "\r\n" : "\n");
                script.Append(CopyData(csv, crlf ? "\r\n" : "\n")).Append(crlf ? "\\.\r\n" : "\\.\n");
                script.Append(Junk0());
                continue;
            }

            script.Append(Statement());
            if (i < count - 1 || _random.Next(2) == 0)
            {
                script.Append(Junk0()).Append(';');
            }

            script.Append(i < count - 1 ? Junk1() : Junk0());
        }

        return script.ToString();
    }

    private string Statement()
    {
        if (_tables.Count == 0)
        {
            return CreateTable();
        }

        return _random.Next(12) switch
        {
            0 => CreateTable(),
            1 or 2 => Insert(),
            3 => Update(),
            4 => DoBlock(),
            5 => PlpgsqlFunction(),
            6 => AtomicRoutine(),
            7 => Comment(),
            8 => View(),
            9 => Rule(),
            _ => Select(),
        };
    }

    private string CopyHead(out bool csv)
    {
        Table table = Pick(_tables);
        csv = _random.Next(3) == 0;
        string format = csv ? Pick([" WITH (FORMAT csv)", " (format 'csv', header false)", " CSV", " WITH CSV"]) : Pick(["", "", " WITH (FORMAT text)", " (delimiter E'\\t')"]);
        return $"COPY{J()}{table.Name}{J()}({table.Text},{J()}{table.Number}){J()}FROM{J()}{Pick(["stdin", "STDIN", "Stdin"])}{format}";
    }

    /// <summary>Rows of (text, number): text format with escapes and \N, or CSV with quoting (never a \. that psql would take for the end).</summary>
    private string CopyData(bool csv, string newline)
    {
        var data = new StringBuilder();
        for (int rows = _random.Next(0, 5); rows > 0; rows--)
        {
            string? value = _random.Next(6) == 0 ? null : Repeat(DataContent, 6);
            if (csv && value is not null && value.Contains("\\.", StringComparison.Ordinal))
            {
                value = value.Replace("\\.", "\\ .", StringComparison.Ordinal);
            }

            string number = _random.Next(1000).ToString(CultureInfo.InvariantCulture);
            string field = value is null ? (csv ? string.Empty : "\\N")
                : csv ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
            data.Append(field).Append(csv ? ',' : '\t').Append(number).Append(newline);
        }

        return data.ToString();
    }

    private string CreateTable()
    {
        var table = new Table(Identifier("t"), Identifier("c"), Identifier("n"));
        _tables.Add(table);
        return $"CREATE{J()}TABLE{J()}{table.Name}{J()}({J()}{table.Text} text{J()}DEFAULT{J()}{String()},{J()}{table.Number} int{J()}DEFAULT{J()}{_random.Next(100)}{J()})";
    }

    private string Insert()
    {
        Table table = Pick(_tables);
        var rows = new List<string>();
        for (int i = _random.Next(1, 4); i > 0; i--)
        {
            rows.Add($"({J()}{String()},{J()}{_random.Next(1000)}{J()})");
        }

        return $"INSERT{J()}INTO{J()}{table.Name}{J()}({table.Text},{J()}{table.Number}){J()}VALUES{J()}{string.Join("," + J(), rows)}";
    }

    private string Update()
    {
        Table table = Pick(_tables);
        return $"UPDATE{J()}{table.Name}{J()}SET{J()}{table.Text}{J()}={J()}{table.Text}{J()}||{J()}{String()}{J()}WHERE{J()}{table.Number}{J()}>={J()}0";
    }

    private string DoBlock()
    {
        Table table = Pick(_tables);
        string tag = "$do" + _random.Next(10) + "$";
        string body = $"\nDECLARE{J()}s text := {String(avoid: tag)};\nBEGIN\n  INSERT INTO {table.Name} ({table.Text}) VALUES (s || {String(avoid: tag)});\n  IF {String(avoid: tag)} <> '' THEN NULL; END IF; -- ; END\nEND\n";
        return _random.Next(2) == 0 ? $"DO{J()}{tag}{body}{tag}" : $"DO{J()}LANGUAGE{J()}plpgsql{J()}{tag}{body}{tag}";
    }

    private string PlpgsqlFunction()
    {
        string tag = "$fn" + _random.Next(10) + "$";
        string name = Identifier("f");
        return $"CREATE{J()}FUNCTION{J()}{name}(x text){J()}RETURNS{J()}text{J()}LANGUAGE{J()}plpgsql{J()}AS{J()}{tag}\nDECLARE s text := {String(avoid: tag)}; -- ;\nBEGIN\n  /* ; */ RETURN x || s || {String(avoid: tag)};\nEND;\n{tag}";
    }

    private string AtomicRoutine()
    {
        Table table = Pick(_tables);
        string name = Identifier("r");
        string begin = _random.Next(2) == 0 ? "BEGIN ATOMIC" : "begin /* ; */ atomic";
        if (!_psqlCompatible && _random.Next(4) == 0)
        {
            // A parameter named begin and a column alias atomic: psql would count this BEGIN as a block; the server does not.
            return $"CREATE{J()}FUNCTION{J()}{name}(begin int){J()}RETURNS{J()}int{J()}LANGUAGE{J()}sql{J()}{begin}\n  SELECT begin + 1 AS atomic;\nEND";
        }

        return _random.Next(2) == 0
            ? $"CREATE{J()}FUNCTION{J()}{name}(x int){J()}RETURNS{J()}int{J()}LANGUAGE{J()}sql{J()}{begin}\n  SELECT x + 1;\n  SELECT CASE WHEN x > 0 THEN x ELSE length({String()}) END;{J()}\nEND"
            : $"CREATE{J()}OR REPLACE{J()}PROCEDURE{J()}{name}(){J()}LANGUAGE{J()}sql{J()}{begin}\n  INSERT INTO {table.Name} ({table.Number}) VALUES (1);{J()}\n  INSERT INTO {table.Name} ({table.Text}) VALUES ({String()});\nEND";
    }

    private string Comment() => $"COMMENT{J()}ON{J()}TABLE{J()}{Pick(_tables).Name}{J()}IS{J()}{String(literalOnly: true)}";

    private string View()
    {
        string name = Identifier("v");
        return $"CREATE{J()}VIEW{J()}{name}{J()}AS{J()}SELECT{J()}{String()}{J()}AS{J()}{Identifier("a")},{J()}{_random.Next(100)}{J()}AS{J()}n";
    }

    private string Rule()
    {
        // Several actions in parentheses, separated by semicolons: one statement to the server and to psql.
        Table table = Pick(_tables);
        Table other = Pick(_tables);
        return $"CREATE{J()}RULE{J()}{Identifier("rule")}{J()}AS{J()}ON{J()}UPDATE{J()}TO{J()}{table.Name}{J()}DO{J()}ALSO{J()}({J()}NOTIFY{J()}mk_fuzz;{J()}INSERT{J()}INTO{J()}{other.Name}{J()}({other.Text}){J()}VALUES{J()}({String()}){J()})";
    }

    private string Select()
    {
        string from = _random.Next(2) == 0 ? $"{J()}FROM{J()}{Pick(_tables).Name}" : string.Empty;
        return $"SELECT{J()}{String()}{J()}AS{J()}{Identifier("s")},{J()}{(_random.Next(2) == 0 ? "B'0101'" : "X'1F'")},{J()}{_random.Next(100)}{from}";
    }

    /// <summary>A string literal of a random kind; <paramref name="avoid"/> never appears in it (an enclosing dollar tag).</summary>
    private string String(string? avoid = null, bool literalOnly = false)
    {
        while (true)
        {
            int kind = _random.Next(8);
            if ((literalOnly && kind == 6) || (_psqlCompatible && kind == 7))
            {
                continue;
            }

            string literal = kind switch
            {
                7 => "E'" + Repeat(EscapeContent, 3) + "'" + Pick(["\n", "\n-- e; '\n"]) + "'" + Repeat(EscapeContent, 3) + "'",
                0 or 1 => "'" + Repeat(StandardContent, 6) + "'",
                2 => (_random.Next(2) == 0 ? "E'" : "e'") + Repeat(EscapeContent, 6) + "'",
                3 => DollarString(),
                4 => _random.Next(2) == 0 ? "U&'\\0041\\00e9 ;'" : "U&'d!0061t!+000061' UESCAPE '!'",
                5 => "'" + Repeat(StandardContent, 3) + "'" + Pick(["\n", " \n ", "\n-- between; '\n", "\r\n"]) + "'" + Repeat(StandardContent, 3) + "'",
                _ => "'" + Repeat(StandardContent, 2) + "' || " + DollarString(),
            };
            if (avoid is null || !literal.Contains(avoid, StringComparison.Ordinal))
            {
                return literal;
            }
        }
    }

    private string DollarString()
    {
        string delimiter = "$" + Pick(DollarTags) + "$";
        while (true)
        {
            string body = Repeat(DollarContent, 6);
            if (!(body + delimiter[..^1]).Contains(delimiter, StringComparison.Ordinal) && !body.EndsWith('$'))
            {
                return delimiter + body + delimiter;
            }
        }
    }

    /// <summary>A unique identifier: plain, or quoted with characters that mean something elsewhere; at most 63 bytes.</summary>
    private string Identifier(string prefix)
    {
        int n = ++_names;
        string number = n.ToString(CultureInfo.InvariantCulture);
        switch (_random.Next(6))
        {
            case 0:
                return prefix + "_" + number;
            case 1:
                // Unquoted identifiers may hold dollar signs: a$b$ is no dollar quote.
                return prefix + "$" + Pick(["", "a", "b"]) + "$" + number;
            case 2:
                return "U&\"" + prefix + "\\0061\\00e9 " + number + "\"";
        }

        string inner;
        do
        {
            inner = prefix + Repeat(IdentifierContent, 5) + " " + n.ToString(CultureInfo.InvariantCulture);
        }
        while (Encoding.UTF8.GetByteCount(inner.Replace("\"\"", "\"", StringComparison.Ordinal)) > 63);

        return "\"" + inner + "\"";
    }

    private string Repeat(string[] items, int most)
    {
        var builder = new StringBuilder();
        for (int i = _random.Next(0, most + 1); i > 0; i--)
        {
            builder.Append(Pick(items));
        }

        return builder.ToString();
    }

    /// <summary>Whitespace or comments between two tokens: at least one space.</summary>
    private string J() => _random.Next(4) == 0 ? Pick(Junk) : " ";

    private string Junk0() => _random.Next(3) == 0 ? Pick(Junk) : string.Empty;

    private string Junk1() => _random.Next(2) == 0 ? "\n" : Pick(Junk);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private sealed record Table(string Name, string Text, string Number);
}
