using System.Text;
using MigrationKit.Sql;
using MigrationKit.Tests.Sql;

namespace MigrationKit.Tests.Linting;

/// <summary>
/// Seeded scripts for the lint fuzz: real migrations (the Planner's, the rule cases') damaged token by token, so that
/// the rules meet every half-statement they could, and the lexer fuzz's random text.
/// </summary>
internal sealed class LintScriptGenerator
{
    private static readonly string[] Keywords =
    [
        "CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", "ON", "ONLY", "ALTER", "TABLE", "ADD", "COLUMN", "DROP", "CONSTRAINT",
        "CHECK", "FOREIGN", "KEY", "REFERENCES", "PRIMARY", "NOT", "NULL", "VALID", "VALIDATE", "IF", "EXISTS", "RENAME", "TO",
        "TYPE", "SET", "DATA", "USING", "DEFAULT", "GENERATED", "ALWAYS", "AS", "IDENTITY", "STORED", "WHERE", "UPDATE",
        "DELETE", "FROM", "WITH", "REINDEX", "SCHEMA", "PARTITION", "BY", "FUNCTION", "STABLE", "random()", "now()", "varchar(10)",
        "numeric(5,2)", "text", "tasks", "projects", "\"Tasks\"", "public.tasks", "x.y.z", "(", ")", "((", "))", ",", ";", ".", "*",
        "'v'", "$$ b $$", "-- migrationkit:allow blocking-index-build why\n", "-- migrationkit:allow\n", "-- migrationkit:phase post\n",
        "-- migrationkit:no-transaction\n", "-- migrationkit:bogus\n", "\n\n", "/* c */", "BEGIN", "COMMIT", "ATOMIC", "END", "E'\\'",
    ];

    private readonly Random _random;
    private readonly SqlScriptGenerator _text;
    private readonly string[] _corpus;

    public LintScriptGenerator(int seed, IEnumerable<string> corpus)
    {
        _random = new Random(seed);
        _text = new SqlScriptGenerator(seed);
        _corpus = [.. corpus];
    }

    /// <summary>A folder of one to four up scripts, each real, mutated or random.</summary>
    public string[] Folder()
    {
        var scripts = new string[_random.Next(1, 5)];
        for (int i = 0; i < scripts.Length; i++)
        {
            scripts[i] = _random.Next(10) switch
            {
                0 => _text.RandomText(),
                1 => _text.RandomCharacters(),
                2 => _text.MutatedScript(),
                3 => Pick(_corpus),
                _ => Mutated(Pick(_corpus)),
            };
        }

        return scripts;
    }

    /// <summary>A real script damaged at the token level one to five times: tokens dropped, repeated, swapped, replaced, the rest cut off.</summary>
    public string Mutated(string script)
    {
        List<string> pieces = Tokens(script);
        int mutations = _random.Next(1, 6);
        for (int m = 0; m < mutations; m++)
        {
            int at = _random.Next(pieces.Count + 1);
            switch (_random.Next(6))
            {
                case 0 when at < pieces.Count:
                    pieces.RemoveAt(at);
                    break;
                case 1 when at < pieces.Count:
                    pieces.Insert(at, pieces[at]);
                    break;
                case 2 when at + 1 < pieces.Count:
                    (pieces[at], pieces[at + 1]) = (pieces[at + 1], pieces[at]);
                    break;
                case 3 when at < pieces.Count:
                    pieces[at] = Pick(Keywords);
                    break;
                case 4:
                    pieces.RemoveRange(at, pieces.Count - at);
                    break;
                default:
                    pieces.Insert(at, Pick(Keywords));
                    break;
            }
        }

        return string.Join(' ', pieces);
    }

    private static List<string> Tokens(string script)
    {
        var pieces = new List<string>();
        var lexer = new SqlLexer(script);
        while (lexer.TryRead(out SqlToken token))
        {
            string text = script.Substring(token.Start, token.Length);
            pieces.Add(token.Kind == SqlTokenKind.LineComment ? text + "\n" : text);
        }

        return pieces;
    }

    private string Pick(string[] items) => items[_random.Next(items.Length)];
}
