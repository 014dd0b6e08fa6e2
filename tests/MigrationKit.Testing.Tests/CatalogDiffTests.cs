using MigrationKit.Testing.Internal;

namespace MigrationKit.Testing.Tests;

/// <summary>How the comparison behind verify says each difference: one line that names the object.</summary>
public sealed class CatalogDiffTests
{
    [Test]
    public void A_changed_one_line_definition_is_quoted_before_and_after()
    {
        var differences = Compare(
            [new("column \"status\" of \"public\".\"tasks\"", "text NOT NULL DEFAULT 'todo'::text", "table \"public\".\"tasks\"")],
            [new("column \"status\" of \"public\".\"tasks\"", "text NULL DEFAULT 'todo'::text", "table \"public\".\"tasks\"")]);

        differences.Should().ContainSingle().Which.Message.Should().Be(
            "column \"status\" of \"public\".\"tasks\" differs after down: was text NOT NULL DEFAULT 'todo'::text, now text NULL DEFAULT 'todo'::text");
    }

    [Test]
    public void A_changed_function_body_names_the_first_line_that_differs()
    {
        const string Before = "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n    RETURN 1;\nEND;\n$function$";
        var differences = Compare(
            [new("function \"public\".\"f\"()", Before, "schema \"public\"")],
            [new("function \"public\".\"f\"()", Before.Replace("RETURN 1;", "RETURN 2;", StringComparison.Ordinal), "schema \"public\"")]);

        var difference = differences.Should().ContainSingle().Subject;
        difference.Message.Should().Be("function \"public\".\"f\"() differs after down: line 6 of its definition was RETURN 1;, now RETURN 2;");
        difference.Change.Should().Be(SchemaChange.Changed);
        difference.Before.Should().Be(Before);
    }

    [Test]
    public void Objects_inside_a_missing_or_added_object_are_not_listed_on_their_own()
    {
        CatalogEntry[] app =
        [
            new("schema \"app\"", string.Empty, null),
            new("table \"app\".\"t\"", string.Empty, "schema \"app\""),
            new("column \"id\" of \"app\".\"t\"", "integer NULL", "table \"app\".\"t\""),
            new("comment on column \"id\" of \"app\".\"t\"", "'The id'", "column \"id\" of \"app\".\"t\""),
        ];
        CatalogEntry[] other = [new("schema \"other\"", string.Empty, null), new("table \"other\".\"u\"", string.Empty, "schema \"other\"")];

        Compare(app, other).Select(d => d.Message).Should().Equal(
            "schema \"app\" is missing after down",
            "schema \"other\" is left over after down (it did not exist before the up)");
    }

    [Test]
    public void A_column_added_to_a_table_that_stays_is_listed()
    {
        CatalogEntry table = new("table \"public\".\"t\"", string.Empty, "schema \"public\"");

        Compare([table], [table, new("column \"extra\" of \"public\".\"t\"", "integer NULL", "table \"public\".\"t\"")])
            .Select(d => d.Message).Should().Equal("column \"extra\" of \"public\".\"t\" is left over after down (it did not exist before the up)");
    }

    [Test]
    public void Identical_snapshots_have_no_difference()
    {
        CatalogEntry[] entries = [new("schema \"public\"", string.Empty, null), new("sequence \"public\".\"s\"", "bigint START 1", "schema \"public\"")];

        Compare(entries, entries).Should().BeEmpty();
    }

    [Test]
    public void A_long_line_is_quoted_from_a_little_before_where_it_differs()
    {
        var before = "CHECK (status = ANY (ARRAY[" + string.Join(", ", Enumerable.Range(1, 40).Select(i => $"'s{i}'::text")) + "]))";
        var after = before.Replace("'s39'", "'s99'", StringComparison.Ordinal);

        var message = CatalogDiff.Contrast(before, after);

        message.Should().Contain("'s39'").And.Contain("'s99'").And.StartWith("was …");
        message.Length.Should().BeLessThan(before.Length);
    }

    private static IReadOnlyList<SchemaDifference> Compare(IEnumerable<CatalogEntry> before, IEnumerable<CatalogEntry> after) =>
        CatalogDiff.Compare(CatalogSnapshot.FromEntries(before), CatalogSnapshot.FromEntries(after));
}
