using MigrationKit.Running;
using MigrationKit.Sources;
using MigrationKit.Validation;

namespace MigrationKit.Tests.Running;

/// <summary>
/// Placeholders: where the lexer says ${name} stands, what it becomes there, what is refused, and that checksums and
/// positions stay those of the file.
/// </summary>
public sealed class PlaceholderExpanderTests
{
    [Test]
    public void Schema_in_sql_code_becomes_a_quoted_identifier()
    {
        Expand("CREATE TABLE ${schema}.t (id int);", "Tenant \"7\"").Should().Be("CREATE TABLE \"Tenant \"\"7\"\"\".t (id int);");
    }

    [Test]
    public void A_hostile_schema_name_stays_one_identifier_in_code()
    {
        Expand("SET LOCAL search_path = ${schema};", "x; DROP TABLE y; --").Should().Be("SET LOCAL search_path = \"x; DROP TABLE y; --\";");
    }

    [Test]
    public void Schema_in_a_string_literal_is_the_name_with_its_quotes_doubled()
    {
        Expand("SELECT '${schema}';", "x'; DROP TABLE y; --").Should().Be("SELECT 'x''; DROP TABLE y; --';");
        Expand("SELECT N'${schema}';", "it's").Should().Be("SELECT N'it''s';");
    }

    [Test]
    public void Schema_in_an_escape_string_doubles_backslashes_and_quotes()
    {
        Expand(@"SELECT E'${schema}\n';", @"a\'b").Should().Be(@"SELECT E'a\\''b\n';");
    }

    [Test]
    public void Schema_inside_a_quoted_identifier_is_the_bare_name_with_double_quotes_doubled()
    {
        Expand("CREATE TABLE \"${schema}_audit\" ();", "Tenant \"7\"").Should().Be("CREATE TABLE \"Tenant \"\"7\"\"_audit\" ();");
    }

    [Test]
    public void A_dollar_quoted_body_is_read_as_sql_so_code_and_literals_inside_it_get_their_own_form()
    {
        const string sql = """
            CREATE FUNCTION ${schema}.f() RETURNS text LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM set_config('search_path', '${schema}', true);
                RETURN (SELECT count(*) FROM ${schema}.t)::text; -- ${schema} in a comment stays
            END
            $fn$;
            """;

        Expand(sql, "T'1").Should().Be("""
            CREATE FUNCTION "T'1".f() RETURNS text LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM set_config('search_path', 'T''1', true);
                RETURN (SELECT count(*) FROM "T'1".t)::text; -- ${schema} in a comment stays
            END
            $fn$;
            """);
    }

    [Test]
    public void A_value_that_would_end_the_dollar_quoted_body_it_lands_in_is_refused()
    {
        MigrationValidationException refused = ExpandRefused("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1 FROM ${schema}.t\n$$;", "a$$b");

        ValidationProblem problem = refused.Problems.Single();
        problem.Code.Should().Be(ValidationCode.InvalidPlaceholderValue);
        (problem.Line, problem.Column).Should().Be((2, 15));
        problem.Message.Should().Contain("$$");
    }

    [Test]
    public void Placeholders_in_comments_are_never_replaced_nor_refused()
    {
        var script = new MigrationScript("-- ${nothing}\n/* ${nothing} /* ${nested} */ */\nSELECT 1;", "1_c.up.sql");

        MigrationScript expanded = ExpandScript(script, "s");

        expanded.Should().BeSameAs(script);
    }

    [Test]
    public void Text_that_only_looks_like_a_placeholder_is_left_as_it_is()
    {
        Expand("SELECT '${}', '${1x}', '${ schema }', '$schema';", "s").Should().Be("SELECT '${}', '${1x}', '${ schema }', '$schema';");
    }

    [Test]
    public void An_unknown_placeholder_is_an_error_with_its_file_line_and_column()
    {
        MigrationValidationException refused = ExpandRefused("SELECT 1;\nGRANT SELECT ON t TO ${reader};", "s");

        ValidationProblem problem = refused.Problems.Single();
        problem.Code.Should().Be(ValidationCode.UnknownPlaceholder);
        problem.Severity.Should().Be(ValidationSeverity.Error);
        (problem.Origin, problem.Line, problem.Column, problem.Version).Should().Be(("1_x.up.sql", 2, 22, 1L));
        problem.Message.Should().Contain("${reader}").And.Contain("--placeholder reader=value");
    }

    [Test]
    public void User_values_are_inserted_as_written_in_every_context()
    {
        var options = new MigrationOptions { Schema = "s" };
        options.Placeholders["owner"] = "app_owner";
        options.Placeholders["grantees"] = "alice, bob";

        Expand("ALTER TABLE t OWNER TO ${owner}; GRANT SELECT ON t TO ${grantees}; SELECT '${owner}';", options)
            .Should().Be("ALTER TABLE t OWNER TO app_owner; GRANT SELECT ON t TO alice, bob; SELECT 'app_owner';");
    }

    [Test]
    public void Names_are_case_sensitive()
    {
        ExpandRefused("SELECT 1 FROM ${Schema}.t;", "s").Problems.Single().Code.Should().Be(ValidationCode.UnknownPlaceholder);
    }

    [Test]
    public void The_replaced_script_keeps_the_checksum_of_the_text_as_written()
    {
        var script = new MigrationScript("CREATE TABLE ${schema}.t (id int);", "1_t.up.sql");

        MigrationScript a = ExpandScript(script, "tenant_a");
        MigrationScript b = ExpandScript(script, "tenant_b");

        a.Sql.Should().NotBe(b.Sql);
        a.Checksum.Should().Be(script.Checksum).And.Be(b.Checksum).And.Be(MigrationScript.ComputeChecksum("CREATE TABLE ${schema}.t (id int);"));
    }

    [Test]
    public void Positions_after_a_replacement_are_those_of_the_file_even_when_a_value_spans_lines()
    {
        var options = new MigrationOptions { Schema = "a_rather_long_schema_name" };
        options.Placeholders["columns"] = "a int,\n    b int,\n    c int";
        const string sql = "CREATE TABLE ${schema}.t (${columns}); SELECT 1;\nSELECT nope FROM ${schema}.t;";
        var script = new MigrationScript(sql, "1_x.up.sql");

        MigrationScript expanded = ExpandScript(script, options);

        expanded.Sql.Should().Contain("\n    b int,");
        var statements = expanded.Parsed.Statements;
        statements.Select(s => (s.Position.Line, s.Position.Column)).Should().Equal((1, 1), (1, 40), (2, 1));

        // A server error inside the third statement at "nope" (its 8th character) is at line 2, column 8 of the file.
        expanded.Parsed.GetPositionOfServerError(statements[2], 8).Should().Be(new MigrationKit.Sql.SqlPosition(2, 8));

        // An error inside a replaced value points at the placeholder.
        int inValue = expanded.Sql.IndexOf("b int", StringComparison.Ordinal);
        expanded.Parsed.GetPosition(inValue).Should().Be(new MigrationKit.Sql.SqlPosition(1, 27));
    }

    [Test]
    public void A_script_without_placeholders_is_not_copied()
    {
        var script = new MigrationScript("SELECT '$1', $$ $ { } $$;", "1_x.up.sql");

        ExpandScript(script, "s").Should().BeSameAs(script);
    }

    [Test]
    public void Options_refuse_a_malformed_placeholder_name_and_the_built_in_schema()
    {
        var options = new MigrationOptions { ConnectionString = "Host=x" };
        options.Placeholders["schema"] = "x";
        options.Placeholders["1st"] = "x";
        options.Placeholders["fine_name"] = "x";

        IReadOnlyList<string> problems = MigrationOptionsChecks.Check(options, requireConnectionString: true);

        problems.Should().HaveCount(2);
        problems.Should().Contain(p => p.Contains("'schema'", StringComparison.Ordinal) && p.Contains("built in", StringComparison.Ordinal));
        problems.Should().Contain(p => p.Contains("'1st'", StringComparison.Ordinal));
    }

    [Test]
    public void Copied_options_do_not_share_their_placeholders()
    {
        var options = new MigrationOptions();
        options.Placeholders["a"] = "1";

        MigrationOptions copy = options.Clone();
        copy.Placeholders["b"] = "2";

        options.Placeholders.Should().ContainSingle();
        copy.Placeholders.Should().HaveCount(2);
    }

    private static string Expand(string sql, string schema) => Expand(sql, new MigrationOptions { Schema = schema });

    private static string Expand(string sql, MigrationOptions options)
    {
        var script = new MigrationScript(sql, "1_x.up.sql");
        MigrationScript expanded = ExpandScript(script, options);
        expanded.Checksum.Should().Be(script.Checksum);
        return expanded.Sql;
    }

    private static MigrationScript ExpandScript(MigrationScript script, string schema) => ExpandScript(script, new MigrationOptions { Schema = schema });

    private static MigrationScript ExpandScript(MigrationScript script, MigrationOptions options)
    {
        var loaded = new SourceLoadResult([new Migration(1, "x", script)], []);
        SourceLoadResult result = new PlaceholderExpander(options).Expand(loaded);
        return result.GetMigrationsOrThrow()[0].Up;
    }

    private static MigrationValidationException ExpandRefused(string sql, string schema)
    {
        var loaded = new SourceLoadResult([new Migration(1, "x", new MigrationScript(sql, "1_x.up.sql"))], []);
        SourceLoadResult result = new PlaceholderExpander(new MigrationOptions { Schema = schema }).Expand(loaded);
        return FluentActions.Invoking(result.GetMigrationsOrThrow).Should().Throw<MigrationValidationException>().Which;
    }
}
