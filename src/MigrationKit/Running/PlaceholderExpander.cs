using System.Globalization;
using System.Text;
using MigrationKit.Postgres;
using MigrationKit.Sources;
using MigrationKit.Sql;

namespace MigrationKit.Running;

/// <summary>
/// Replaces <c>${name}</c> placeholders in the scripts a run loads, where the lexer says they stand: in SQL code, in
/// string literals, in quoted identifiers and in dollar-quoted bodies (read as SQL themselves), never in comments.
/// <c>${schema}</c> is data, inserted in the form that is data where it stands (a quoted identifier in code, the bare
/// name with quotes doubled inside a literal or a quoted identifier); user values from
/// <see cref="MigrationOptions.Placeholders"/> are inserted as written. The replaced script keeps the checksum of the
/// text as written, and reports positions in it (<see cref="SqlSourceMap"/>).
/// </summary>
/// <remarks>
/// Left alone: comments, <c>U&amp;'…'</c> and <c>U&amp;"…"</c> (whose escape character a script may change),
/// bit strings, and any construct still open at the end of the script (validation reports it). A value that would end
/// the dollar-quoted body it lands in (its tag inside the value) is refused: nothing can leave a body that way.
/// </remarks>
internal sealed class PlaceholderExpander
{
    /// <summary>The built-in placeholder: the schema of the history table, the target's schema in a fleet.</summary>
    public const string SchemaName = "schema";

    private readonly string _schema;
    private readonly Dictionary<string, string> _values;

    public PlaceholderExpander(MigrationOptions options)
    {
        _schema = options.Schema;
        _values = new Dictionary<string, string>(options.Placeholders, StringComparer.Ordinal);
    }

    private enum Context
    {
        Code,
        Literal,
        EscapeLiteral,
        Identifier,
    }

    /// <summary>Whether a placeholder name is letters, digits and underscores, not starting with a digit (ASCII).</summary>
    public static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces the placeholders of every script; problems are added, and a script with a problem is left as written.</summary>
    public SourceLoadResult Expand(SourceLoadResult loaded)
    {
        List<ValidationProblem>? problems = null;
        List<Migration>? migrations = null;
        for (int i = 0; i < loaded.Migrations.Count; i++)
        {
            Migration migration = loaded.Migrations[i];
            MigrationScript up = Expand(migration, migration.Up, ref problems);
            MigrationScript? down = migration.Down is null ? null : Expand(migration, migration.Down, ref problems);
            if (ReferenceEquals(up, migration.Up) && ReferenceEquals(down, migration.Down))
            {
                migrations?.Add(migration);
                continue;
            }

            migrations ??= [.. loaded.Migrations.Take(i)];
            migrations.Add(new Migration(migration.Version, migration.Description, up, down));
        }

        if (migrations is null && problems is null)
        {
            return loaded;
        }

        return new SourceLoadResult(migrations ?? loaded.Migrations, problems is null ? loaded.Problems : [.. loaded.Problems, .. problems]);
    }

    /// <summary>One script with its placeholders replaced, the same object when it has none.</summary>
    internal MigrationScript Expand(Migration migration, MigrationScript script, ref List<ValidationProblem>? problems)
    {
        string text = script.Sql;
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return script;
        }

        var expansion = new Expansion(this, migration, script);
        expansion.Process(0, text.Length);
        if (expansion.Problems is { } found)
        {
            (problems ??= []).AddRange(found);
            return script;
        }

        if (expansion.Replacements.Count == 0)
        {
            return script;
        }

        return new MigrationScript(expansion.Output.ToString(), script.Origin, script.Checksum, new SqlSourceMap(text, expansion.Replacements));
    }

    private string? Value(string name, Context context)
    {
        if (string.Equals(name, SchemaName, StringComparison.Ordinal))
        {
            return context switch
            {
                Context.Code => PostgresIdentifier.Quote(_schema),
                Context.Identifier => _schema.Replace("\"", "\"\"", StringComparison.Ordinal),
                Context.Literal => _schema.Replace("'", "''", StringComparison.Ordinal),
                _ => _schema.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal),
            };
        }

        return _values.GetValueOrDefault(name);
    }

    private string Known() =>
        _values.Count == 0
            ? "${schema} is built in, and no other placeholder is given"
            : "${schema} is built in, and the others given are " + string.Join(", ", _values.Keys.Order(StringComparer.Ordinal).Select(k => "${" + k + "}"));

    /// <summary>The work on one script: the output so far, the replaced spans, the problems.</summary>
    private sealed class Expansion(PlaceholderExpander owner, Migration migration, MigrationScript script)
    {
        private readonly string _text = script.Sql;
        private SqlTextIndex? _index;

        public StringBuilder Output { get; } = new(script.Sql.Length + 64);

        public List<(int OriginalStart, int OriginalEnd, int OutputStart, int OutputEnd)> Replacements { get; } = [];

        public List<ValidationProblem>? Problems { get; private set; }

        /// <summary>Copies <c>[start, end)</c> of the text to the output, placeholders replaced where the lexer allows.</summary>
        public void Process(int start, int end)
        {
            var lexer = new SqlLexer(_text.AsSpan(start, end - start));
            int code = start;
            while (lexer.TryRead(out SqlToken token))
            {
                int tokenStart = start + token.Start;
                int tokenEnd = start + token.End;
                Context? context = token.IsUnterminated ? null : token.Kind switch
                {
                    SqlTokenKind.StandardString or SqlTokenKind.NationalString => Context.Literal,
                    SqlTokenKind.EscapeString => Context.EscapeLiteral,
                    SqlTokenKind.QuotedIdentifier => Context.Identifier,
                    _ => null,
                };
                switch (token.Kind)
                {
                    case SqlTokenKind.DollarString when !token.IsUnterminated:
                        Replace(code, tokenStart, Context.Code);
                        Body(tokenStart, tokenEnd);
                        code = tokenEnd;
                        break;

                    case SqlTokenKind.StandardString or SqlTokenKind.NationalString or SqlTokenKind.EscapeString or SqlTokenKind.QuotedIdentifier
                        or SqlTokenKind.DollarString or SqlTokenKind.UnicodeString or SqlTokenKind.UnicodeQuotedIdentifier
                        or SqlTokenKind.BitString or SqlTokenKind.HexString or SqlTokenKind.LineComment or SqlTokenKind.BlockComment:
                        Replace(code, tokenStart, Context.Code);
                        if (context is { } where)
                        {
                            Replace(tokenStart, tokenEnd, where);
                        }
                        else
                        {
                            Output.Append(_text, tokenStart, tokenEnd - tokenStart);
                        }

                        code = tokenEnd;
                        break;

                    default:
                        // SQL code: it stays pending, so a placeholder read as several tokens ($, {, name, }) is seen whole.
                        break;
                }
            }

            Replace(code, end, Context.Code);
        }

        /// <summary>A dollar-quoted body: read as SQL in its turn; refused when what was put in closes it early.</summary>
        private void Body(int start, int end)
        {
            int tagLength = _text.IndexOf('$', start + 1) - start + 1;
            string tag = _text.Substring(start, tagLength);
            Output.Append(tag);
            int bodyOutput = Output.Length;
            int replacements = Replacements.Count;
            Process(start + tagLength, end - tagLength);
            if (Replacements.Count > replacements && Output.ToString(bodyOutput, Output.Length - bodyOutput).Contains(tag, StringComparison.Ordinal))
            {
                (int originalStart, _, _, _) = Replacements[replacements];
                Add(
                    ValidationCode.InvalidPlaceholderValue,
                    originalStart,
                    $"The value of {Name(originalStart)} puts {tag} into the dollar-quoted body that {tag} opens, which would end the body early. " +
                    "Quote the body with a tag no value holds (such as $body$ … $body$), or change the value. Nothing was run.");
            }

            Output.Append(tag);
        }

        /// <summary>Copies <c>[start, end)</c>, each <c>${name}</c> in it replaced by its value for <paramref name="context"/>.</summary>
        private void Replace(int start, int end, Context context)
        {
            int cursor = start;
            int at = start;
            while (at < end)
            {
                int found = _text.IndexOf("${", at, end - at, StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }

                int nameStart = found + 2;
                int close = _text.IndexOf('}', nameStart, end - nameStart);
                if (close < 0 || !IsName(_text.AsSpan(nameStart, close - nameStart)))
                {
                    at = found + 1;
                    continue;
                }

                string name = _text[nameStart..close];
                int placeholderEnd = close + 1;
                string? value = owner.Value(name, context);
                if (value is null)
                {
                    Add(
                        ValidationCode.UnknownPlaceholder,
                        found,
                        $"${{{name}}} is not a known placeholder: {owner.Known()}. Give its value (--placeholder {name}=value on the command line, " +
                        $"{nameof(MigrationOptions)}.{nameof(MigrationOptions.Placeholders)} in code); or, when the text is meant for the server, turn placeholders off " +
                        $"({nameof(MigrationOptions.ReplacePlaceholders)} = false, --no-placeholders). Nothing was run.");
                    at = placeholderEnd;
                    continue;
                }

                Output.Append(_text, cursor, found - cursor);
                int outputStart = Output.Length;
                Output.Append(value);
                Replacements.Add((found, placeholderEnd, outputStart, Output.Length));
                cursor = placeholderEnd;
                at = placeholderEnd;
            }

            Output.Append(_text, cursor, end - cursor);
        }

        private string Name(int originalStart) => _text[originalStart..(_text.IndexOf('}', originalStart) + 1)];

        private void Add(ValidationCode code, int offset, string message)
        {
            SqlPosition position = (_index ??= SqlTextIndex.Build(_text)).GetPosition(offset);
            (Problems ??= []).Add(new ValidationProblem(code, ValidationSeverity.Error, message)
            {
                Version = migration.Version,
                Origin = script.Origin,
                Line = position.Line,
                Column = position.Column,
            });
        }
    }
}
