using System.Text;
using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptFuzzTests
{
    private const int CasesPerSeed = 2500;

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(20261124)]
    public void Random_text_never_breaks_the_parser(int seed)
    {
        var generator = new SqlScriptGenerator(seed);
        for (int i = 0; i < CasesPerSeed; i++)
        {
            string text = i % 2 == 0 ? generator.RandomText() : generator.RandomCharacters();
            SqlScriptInvariants.Check(text, $"seed {seed}, case {i}");
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(20261124)]
    public void Mutated_real_scripts_never_break_the_parser(int seed)
    {
        var generator = new SqlScriptGenerator(seed);
        for (int i = 0; i < CasesPerSeed; i++)
        {
            SqlScriptInvariants.Check(generator.MutatedScript(), $"seed {seed}, case {i}");
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(20261124)]
    public void Well_formed_statements_and_copy_data_joined_by_semicolons_comments_and_whitespace_come_back_exactly(int seed)
    {
        var generator = new SqlScriptGenerator(seed);
        for (int i = 0; i < CasesPerSeed; i++)
        {
            (string text, List<(int Offset, string Text, string? Data)> expected) = generator.WellFormedScript();
            SqlScript script = SqlScript.Parse(text);

            string context = $"seed {seed}, case {i}: {SqlScriptInvariants.Escape(text)}";
            script.Statements.Select(s => (s.Offset, s.Text, s.CopyData?.Text)).Should().Equal(expected, context);
            script.Errors.Should().BeEmpty(context);
            script.Statements.Where(s => s.Kind != SqlStatementKind.Other || s.NonTransactionalReason is not null).Should().BeEmpty(context);
            script.HasNoTransactionDirective.Should().BeFalse(context);
            if (i % 10 == 0)
            {
                SqlScriptInvariants.Check(text, context);
            }
        }
    }

    [Test]
    public void Parsing_a_hundred_thousand_statements_works()
    {
        const int count = 100_000;
        var builder = new StringBuilder(count * 64);
        for (int i = 0; i < count; i++)
        {
            builder.Append("INSERT INTO t (id, note) VALUES (").Append(i).Append(", 'row; ''").Append(i).Append("''');\n");
        }

        SqlScript script = SqlScript.Parse(builder.ToString());

        script.Statements.Should().HaveCount(count);
        script.Errors.Should().BeEmpty();
        script.TransactionShape.Should().Be(TransactionShape.None);
        script.RunsOutsideTransaction.Should().BeFalse();
        script.Statements[^1].Text.Should().Be("INSERT INTO t (id, note) VALUES (99999, 'row; ''99999''')");
        script.Statements[^1].Position.Should().Be(new SqlPosition(count, 1));
    }

    [Test]
    public void A_huge_wrapped_script_keeps_its_body()
    {
        var builder = new StringBuilder("BEGIN;\n");
        for (int i = 0; i < 10_000; i++)
        {
            builder.Append("CREATE TABLE t").Append(i).Append(" (id int);\n");
        }

        SqlScript script = SqlScript.Parse(builder.Append("COMMIT;\n").ToString());

        script.TransactionShape.Should().Be(TransactionShape.Wrapped);
        script.Body.Should().HaveCount(10_000);
        script.Body[0].Text.Should().Be("CREATE TABLE t0 (id int)");
        script.Body[^1].Text.Should().Be("CREATE TABLE t9999 (id int)");
    }

    [Test]
    public void Long_runs_of_one_construct_do_not_recurse_or_overflow()
    {
        string nested = string.Concat(Enumerable.Repeat("/*", 50_000)) + string.Concat(Enumerable.Repeat("*/", 50_000)) + " SELECT 1";
        SqlScript.Parse(nested).Statements.Should().ContainSingle().Which.Text.Should().Be("SELECT 1");

        string parentheses = "SELECT " + new string('(', 100_000) + new string(')', 100_000) + "; SELECT 2";
        SqlScript.Parse(parentheses).Statements.Should().HaveCount(2);

        string dollars = new('$', 100_001);
        SqlScript.Parse(dollars).Statements.Should().ContainSingle();

        string quotes = new('\'', 100_001);
        SqlScript.Parse(quotes).Errors.Should().ContainSingle();
    }
}
