using System.Globalization;
using System.Text;

namespace MigrationKit.Tests.Sql;

/// <summary>
/// Seeded generators for the fuzz tests: random text rich in the characters that matter to the lexer, mutations
/// of realistic scripts, and well-formed statements joined into scripts with known statement boundaries.
/// </summary>
internal sealed class SqlScriptGenerator
{
    private static readonly string[] Atoms =
    [
        "'", "'", "\"", "$", "$", ";", ";", "-", "/", "*", "\\", "E", "e", "\n", "\n", " ", " ", "a", "b", "x", "N", "U", "&",
        "(", ")", "$$", "$a$", "$b$", "--", "/*", "*/", "''", "1", "_", "\r", "\t", "😀", "\uD800", "\uDC00", "\0", "é",
        "BEGIN", "ATOMIC", "END", "CASE", "CREATE FUNCTION f() ", "CREATE OR REPLACE PROCEDURE ", "COMMIT", "ROLLBACK",
        "CONCURRENTLY", "INDEX", "CREATE", "E'", "U&'", "U&\"", "$1", "\u00A0", "\f", "\v", "\r\n",
        "COPY t FROM stdin;\n", "copy t (a) from STDIN with (format csv);", "\\.\n", "\\.", "\\.\r\n", "\\N", "COPY", "STDIN",
        "\\set x 1\n", "\\",
    ];

    private static readonly string[] Corpus =
    [
        """
        -- migrationkit:no-transaction
        CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (lower(email));
        DROP INDEX CONCURRENTLY IF EXISTS users_email_old;
        """,
        """
        BEGIN;
        CREATE TABLE accounts (
            id bigint PRIMARY KEY,
            name text NOT NULL DEFAULT 'it''s',
            path text CHECK (path <> E'C:\\temp\\') -- windows
        );
        COMMENT ON TABLE accounts IS 'Accounts; one per customer';
        COMMIT;
        """,
        """
        CREATE OR REPLACE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE
            q text := $q$SELECT 'x;' || $$nested$$$q$;
        BEGIN
            /* log it; /* nested */ */
            EXECUTE format($f$INSERT INTO log VALUES (%L)$f$, TG_OP);
            RETURN NEW;
        END;
        $fn$;
        CREATE TRIGGER audit AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION audit();
        """,
        """
        CREATE FUNCTION sign_of(x int) RETURNS text LANGUAGE sql
        BEGIN ATOMIC
            SELECT CASE WHEN x > 0 THEN 'positive; yes' WHEN x < 0 THEN 'negative' ELSE 'zero' END;
        END;
        CREATE PROCEDURE fill() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;
        CALL fill();
        """,
        """"
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
                CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            END IF;
        END
        $$;
        INSERT INTO "Weird ""Table""" (a, "b;c") VALUES (U&'\0041', B'0101'), (N'n', X'1F');
        SELECT $1, a$b, 1.5e3, 0x1F FROM t WHERE x::text ~ '^[a-z]+$';
        """",
        "SELECT '😀' AS \"é\";\r\nSELECT E'\\x41\\'';\rSELECT 'a'\n'b';\n",
        "SET client_encoding = 'UTF8';\n" +
        "COPY public.accounts (id, name, path) FROM stdin;\n" +
        "1\tit's; \"q\"\t\\N\n" +
        "2\t$$ -- /* \\\\ \\t\tC:\\temp\n" +
        "\\.\n" +
        "SELECT pg_catalog.setval('public.accounts_id_seq', 2, true);\n" +
        "COPY t FROM STDIN WITH (FORMAT csv, HEADER true); -- seed\n" +
        "id,note\n" +
        "1,\"a \"\"quoted\"\", multi\n" +
        "line; value\"\n" +
        "\\.\n" +
        "\\set ON_ERROR_STOP on\n",
    ];

    private static readonly string[] StatementHeads =
    [
        "SELECT", "INSERT INTO t VALUES", "UPDATE t SET a =", "DO", "COMMENT ON TABLE t IS", "VALUES", "WITH x AS",
        "ALTER TABLE t ADD COLUMN", "select distinct", "DELETE FROM t WHERE", "CREATE TABLE", "CREATE VIEW v AS SELECT",
    ];

    private static readonly string[] Words =
    [
        "a", "foo", "a$b", "x1", "_y", "naïve", "日本", "T", "e", "E", "b", "X", "n", "U", "u", "begin", "END", "case", "atomic",
        "CREATE", "FUNCTION", "table_name", "Z$$",
    ];

    private static readonly string[] BodyWords = ["a", "foo", "a$b", "x1", "_y", "T", "e", "E", "n", "U", "tbl"];

    private static readonly string[] Numbers = ["1", "1.5", "1e10", ".5", "0x1F", "1_000", "42", "3.", "1e-3"];

    private static readonly string[] Operators = ["+", "-", "*", "/", "<>", "||", "::", "=", ".", ",", "->>", "@>", "!=", "%", "[", "]", ":"];

    private static readonly string[] StandardContent = ["a", ";", "''", "\\", "--", "/*", "*/", "\"", "$$", "$a$", "\n", " ", "😀", "E''", "\\''"];

    private static readonly string[] EscapeContent = ["a", ";", "''", "\\\\", "\\'", "--", "/*", "\"", "$$", "\n", "\\n", "\\x41", " "];

    private static readonly string[] DollarTags = ["", "a", "fn", "_x1", "ü", "A"];

    private static readonly string[] DollarContent = ["a", ";", "'", "\"", "$", "$b$", "--", "/*", "\n", "$$", "$a", "a$", "\\", " "];

    private static readonly string[] IdentifierContent = ["a", ";", "\"\"", "'", " ", "$$", "--", "/*", "é"];

    private static readonly string[] CommentContent = ["a", ";", "'", "\"", "$$", "--", " ", "\n", "E'", "BEGIN"];

    private static readonly string[] LineCommentContent = ["a", ";", "'", "\"", "$$", "/*", "*/", " ", "--"];

    private static readonly string[] Junk = [" ", "\n", "\t", "\r\n", "-- c;'$$\n", "/* c; ' /* n */ */", ";", "\f", "  "];

    private static readonly string[] SameLineJunk = [" ", "\t", "-- c;'$$ /*", "/* c; ' /* n */ */", ";", "  "];

    private static readonly string[] CopyHeads =
    [
        "COPY t FROM stdin", "copy public.\"T\" (a, \"from\") from STDIN", "COPY t (a, b) FROM stdin WITH (FORMAT csv, HEADER true)",
        "Copy t From Stdin CSV", "COPY t FROM stdin WITH DELIMITER '|' NULL AS ''", "COPY t FROM stdin /* ; */ WHERE a > 1",
    ];

    private static readonly string[] DataContent =
    [
        "a", "\t", ";", "'", "''", "\"", "\\", "\\\\", "\\N", "\\.", ".", "$$", "$a$", "--", "/*", "*/", "😀", "é", " ", "\r", "COPY t FROM stdin;", "\\set",
    ];

    private readonly Random _random;

    /// <summary>Initializes a new instance of the <see cref="SqlScriptGenerator"/> class.</summary>
    /// <param name="seed">The seed; the same seed gives the same sequence.</param>
    public SqlScriptGenerator(int seed) => _random = new Random(seed);

    private enum PieceKind
    {
        Word,
        Number,
        StandardString,
        EscapeString,
        OtherString,
        DollarString,
        QuotedIdentifier,
        BlockComment,
        LineComment,
        Parentheses,
        Operator,
        Parameter,
    }

    /// <summary>Makes random text from atoms that matter to the lexer.</summary>
    /// <returns>The text.</returns>
    public string RandomText()
    {
        var builder = new StringBuilder();
        int count = _random.Next(0, 40);
        for (int i = 0; i < count; i++)
        {
            builder.Append(Pick(Atoms));
        }

        return builder.ToString();
    }

    /// <summary>Makes random text from single characters, with no structure at all.</summary>
    /// <returns>The text.</returns>
    public string RandomCharacters()
    {
        const string alphabet = "'\"$;-/*\\Ee\n\r\t ()abcUN&_01ATOMIC\0\uD800\uDC00é";
        var chars = new char[_random.Next(0, 60)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[_random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>Takes a realistic script and damages it in one to three random ways.</summary>
    /// <returns>The mutated script.</returns>
    public string MutatedScript()
    {
        string text = Pick(Corpus);
        int mutations = _random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = _random.Next(text.Length + 1);
            int length = _random.Next(0, Math.Min(12, text.Length - at) + 1);
            text = _random.Next(6) switch
            {
                0 => text.Remove(at, length),
                1 => text.Insert(at, Pick(Atoms)),
                2 => text.Insert(at, text.Substring(at, length)),
                3 => text[..at],
                4 when text.Length > 0 => text.Remove(Math.Min(at, text.Length - 1), 1).Insert(Math.Min(at, text.Length - 1), Pick(Atoms)),
                _ => text.Insert(at, RandomText()),
            };
        }

        return text;
    }

    /// <summary>
    /// Makes a script of well-formed statements separated by semicolons, whitespace and comments, and tells where
    /// each statement is.
    /// </summary>
    /// <returns>The script and its statements with their offsets.</returns>
    /// <remarks>
    /// One statement in six is a <c>COPY ... FROM STDIN</c> with a data block (always ended by its semicolon, then only
    /// comments on that line, then data lines full of SQL-looking text, then <c>\.</c>); its data is given too.
    /// </remarks>
    public (string Script, List<(int Offset, string Text, string? Data)> Statements) WellFormedScript()
    {
        var builder = new StringBuilder();
        var statements = new List<(int Offset, string Text, string? Data)>();
        AppendJunk(builder);
        int count = _random.Next(0, 8);
        for (int i = 0; i < count; i++)
        {
            if (_random.Next(6) == 0)
            {
                string head = Pick(CopyHeads);
                int offset = builder.Length;
                builder.Append(head);
                for (int j = _random.Next(0, 3); j > 0; j--)
                {
                    // Not a semicolon: the first one ends the COPY, and its data starts on the next line.
                    builder.Append(Pick(Junk.Where(junk => junk != ";").ToArray()));
                }

                builder.Append(';');
                for (int j = _random.Next(0, 3); j > 0; j--)
                {
                    builder.Append(Pick(SameLineJunk));
                }

                builder.Append(_random.Next(4) == 0 ? "\r\n" : "\n");
                string data = CopyData();
                statements.Add((offset, head, data));
                builder.Append(data).Append(Pick(["\\.\n", "\\.\r\n", "\\.\n\n"]));
                AppendJunk(builder);
                continue;
            }

            string statement = _random.Next(5) == 0 ? Routine() : Statement(bodyWordsOnly: false);
            statements.Add((builder.Length, statement, null));
            builder.Append(statement);
            if (i < count - 1 || _random.Next(2) == 0)
            {
                AppendJunk(builder);
                builder.Append(';');
            }

            AppendJunk(builder);
        }

        return (builder.ToString(), statements);
    }

    private string CopyData()
    {
        var builder = new StringBuilder();
        for (int lines = _random.Next(0, 5); lines > 0; lines--)
        {
            string line;
            do
            {
                line = Repeat(DataContent, 6);
            }
            while (line is "\\." or "\\.\r" || line.Contains('\n', StringComparison.Ordinal));

            builder.Append(line).Append(_random.Next(5) == 0 ? "\r\n" : "\n");
        }

        return builder.ToString();
    }

    private string Pick(string[] items) => items[_random.Next(items.Length)];

    private void AppendJunk(StringBuilder builder)
    {
        int count = _random.Next(0, 4);
        for (int i = 0; i < count; i++)
        {
            builder.Append(Pick(Junk));
        }
    }

    // A statement starts with a word and ends with a word, so that nothing around it can join its tokens.
    private string Statement(bool bodyWordsOnly)
    {
        var pieces = new List<string> { bodyWordsOnly ? "SELECT" : Pick(StatementHeads) };
        PieceKind previous = PieceKind.Word;
        int count = _random.Next(0, 8);
        for (int i = 0; i < count; i++)
        {
            pieces.Add(Piece(depth: 0, bodyWordsOnly, ref previous));
        }

        pieces.Add(Pick(bodyWordsOnly ? BodyWords : Words));
        return string.Join(' ', pieces);
    }

    private string Routine()
    {
        var builder = new StringBuilder(_random.Next(2) == 0 ? "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql" : "create or replace procedure p()");
        builder.Append(_random.Next(2) == 0 ? " BEGIN ATOMIC " : "\nbegin /* c */ atomic\n");
        int count = _random.Next(0, 4);
        for (int i = 0; i < count; i++)
        {
            builder.Append(Statement(bodyWordsOnly: true)).Append(";\n");
            if (_random.Next(3) == 0)
            {
                builder.Append("SELECT CASE WHEN x > 0 THEN case x when 1 then 'a;' end ELSE (CASE WHEN true THEN 2 END) END;\n");
            }
        }

        return builder.Append("END").ToString();
    }

    private string Piece(int depth, bool bodyWordsOnly, ref PieceKind previous)
    {
        PieceKind kind;
        do
        {
            kind = (PieceKind)_random.Next(Enum.GetValues<PieceKind>().Length);
        }
        while ((kind == PieceKind.Parentheses && depth > 2)

            // An escape string continues over a newline into the next string, which would then honour backslashes.
            || (kind == PieceKind.LineComment && previous == PieceKind.EscapeString));

        previous = kind;
        return kind switch
        {
            PieceKind.Word => Pick(bodyWordsOnly && depth == 0 ? BodyWords : Words),
            PieceKind.Number => Pick(Numbers),
            PieceKind.StandardString => "'" + Repeat(StandardContent, 5) + "'",
            PieceKind.EscapeString => (_random.Next(2) == 0 ? "E'" : "e'") + Repeat(EscapeContent, 5) + "'",
            PieceKind.OtherString => Pick(["B'0101'", "x'1F'", "N'" + Repeat(StandardContent, 3) + "'", "U&'" + Repeat(StandardContent, 3) + "'"]),
            PieceKind.DollarString => DollarString(),
            PieceKind.QuotedIdentifier => (_random.Next(4) == 0 ? "U&\"" : "\"") + "x" + Repeat(IdentifierContent, 4) + "\"",
            PieceKind.BlockComment => BlockComment(0),
            PieceKind.LineComment => "--" + Repeat(LineCommentContent, 4) + "\n",
            PieceKind.Parentheses => Parentheses(depth, bodyWordsOnly),
            PieceKind.Operator => Pick(Operators),
            _ => "$" + _random.Next(1, 100).ToString(CultureInfo.InvariantCulture),
        };
    }

    private string Repeat(string[] items, int most)
    {
        var builder = new StringBuilder();
        int count = _random.Next(0, most + 1);
        for (int i = 0; i < count; i++)
        {
            builder.Append(Pick(items));
        }

        return builder.ToString();
    }

    private string DollarString()
    {
        string delimiter = "$" + Pick(DollarTags) + "$";
        while (true)
        {
            string body = Repeat(DollarContent, 6);
            if ((body + delimiter).IndexOf(delimiter, StringComparison.Ordinal) == body.Length)
            {
                return delimiter + body + delimiter;
            }
        }
    }

    private string BlockComment(int depth)
    {
        var builder = new StringBuilder("/*");
        int count = _random.Next(0, 5);
        for (int i = 0; i < count; i++)
        {
            builder.Append(depth < 2 && _random.Next(4) == 0 ? BlockComment(depth + 1) : Pick(CommentContent));
        }

        return builder.Append("*/").ToString();
    }

    private string Parentheses(int depth, bool bodyWordsOnly)
    {
        var pieces = new List<string> { "(" };
        PieceKind previous = PieceKind.Operator;
        int count = _random.Next(0, 5);
        for (int i = 0; i < count; i++)
        {
            pieces.Add(_random.Next(4) == 0 ? ";" : Piece(depth + 1, bodyWordsOnly, ref previous));
            if (pieces[^1] == ";")
            {
                previous = PieceKind.Operator;
            }
        }

        // A line comment must not swallow the closing parenthesis: it carries its own newline.
        pieces.Add(")");
        return string.Join(' ', pieces);
    }
}
