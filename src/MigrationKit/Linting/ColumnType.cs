using System.Globalization;
using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// A column type as written in a migration, reduced to what decides whether changing it rewrites the table: the
/// base type under one name (<c>character varying</c> and <c>varchar</c> are both <c>varchar</c>), its numeric
/// modifiers, and whether it is an array.
/// </summary>
internal sealed record ColumnType(string Base, IReadOnlyList<int> Modifiers, bool IsArray, string Written)
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["character varying"] = "varchar",
        ["char varying"] = "varchar",
        ["character"] = "bpchar",
        ["char"] = "bpchar",
        ["int"] = "int4",
        ["integer"] = "int4",
        ["smallint"] = "int2",
        ["bigint"] = "int8",
        ["decimal"] = "numeric",
        ["double precision"] = "float8",
        ["real"] = "float4",
        ["boolean"] = "bool",
        ["timestamp without time zone"] = "timestamp",
        ["timestamp with time zone"] = "timestamptz",
        ["time without time zone"] = "time",
        ["time with time zone"] = "timetz",
        ["bit varying"] = "varbit",
        ["serial4"] = "serial",
        ["serial8"] = "bigserial",
        ["serial2"] = "smallserial",
    };

    /// <summary>Gets a value indicating whether the type is <c>serial</c>, <c>bigserial</c> or <c>smallserial</c>: a default from a sequence.</summary>
    public bool IsSerial => !IsArray && Base is "serial" or "bigserial" or "smallserial";

    /// <summary>Reads the type from tokens <paramref name="from"/> to <paramref name="end"/>; null when there is no type there.</summary>
    public static ColumnType? Read(LintStatement statement, int from, int end)
    {
        if (from >= end)
        {
            return null;
        }

        var words = new List<string>(3);
        var modifiers = new List<int>(2);
        bool isArray = false;
        int level = statement.Level(from);
        for (int i = from; i < end; i++)
        {
            if (statement.Level(i) > level)
            {
                if (statement[i].Kind == SqlTokenKind.Number && modifiers.Count < 4
                    && int.TryParse(statement.Span(i), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                {
                    modifiers.Add(value);
                }

                continue;
            }

            if (statement.IsSymbol(i, '[') || statement.Is(i, "ARRAY"))
            {
                isArray = true;
            }
            else if (statement.IsSymbol(i, '.'))
            {
                // A qualified type (pg_catalog.varchar): the last part names it.
                words.Clear();
            }
            else if (statement.IsIdentifier(i))
            {
                int at = i;
                words.Add(statement.ReadIdentifier(ref at)!);
            }
        }

        if (words.Count == 0)
        {
            return null;
        }

        string written = string.Join(' ', words);
        string name = Aliases.GetValueOrDefault(written, written);

        // timestamp(3) with time zone: the words around the precision.
        if (name.StartsWith("timestamp with", StringComparison.Ordinal) || name == "timestamptz")
        {
            name = "timestamptz";
        }
        else if (name.StartsWith("timestamp", StringComparison.Ordinal))
        {
            name = "timestamp";
        }

        return new ColumnType(name, modifiers, isArray, statement.TextBetween(from, end));
    }

    /// <summary>
    /// Whether PostgreSQL changes a column from <paramref name="from"/> to <paramref name="to"/> without rewriting
    /// the table (a binary-coercible change it knows needs no check of the values), given no <c>USING</c>.
    /// </summary>
    public static bool ChangesWithoutRewrite(ColumnType from, ColumnType to)
    {
        if (from.IsArray || to.IsArray)
        {
            return from.IsArray == to.IsArray && from.Base == to.Base && from.Modifiers.SequenceEqual(to.Modifiers);
        }

        if (from.Base == to.Base && from.Modifiers.SequenceEqual(to.Modifiers))
        {
            return true;
        }

        return (from.Base, to.Base) switch
        {
            ("varchar", "varchar") => to.Modifiers.Count == 0 || (from.Modifiers.Count > 0 && to.Modifiers[0] >= from.Modifiers[0]),
            ("varchar", "text") => true,
            ("text", "varchar") => to.Modifiers.Count == 0,
            ("varbit", "varbit") => to.Modifiers.Count == 0 || (from.Modifiers.Count > 0 && to.Modifiers[0] >= from.Modifiers[0]),
            ("numeric", "numeric") => to.Modifiers.Count == 0
                || (from.Modifiers.Count > 0 && to.Modifiers[0] >= from.Modifiers[0] && Scale(from) == Scale(to)),
            ("cidr", "inet") => true,
            _ => false,
        };
    }

    private static int Scale(ColumnType type) => type.Modifiers.Count > 1 ? type.Modifiers[1] : 0;
}
