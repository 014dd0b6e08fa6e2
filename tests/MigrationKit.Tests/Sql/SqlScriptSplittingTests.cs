using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptSplittingTests
{
    private static string[] Split(string sql) => [.. SqlScript.Parse(sql).Statements.Select(s => s.Text)];

    [TestCase("SELECT 1; SELECT 2;", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT 1;SELECT 2", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT 1", new[] { "SELECT 1" })]
    [TestCase("  \n\tSELECT 1 ;  \n", new[] { "SELECT 1" })]
    [TestCase("SELECT\n  1\n  + 2\n;\nSELECT 3", new[] { "SELECT\n  1\n  + 2", "SELECT 3" })]
    [TestCase(";;; SELECT 1;; ;", new[] { "SELECT 1" })]
    [TestCase("\tSELECT 1\r\n;\fSELECT 2\v", new[] { "SELECT 1", "SELECT 2" })]
    public void Statements_end_at_top_level_semicolons(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("")]
    [TestCase("   \n\t\r\n ")]
    [TestCase("-- only a comment")]
    [TestCase("-- one\n-- two\n")]
    [TestCase("/* block */")]
    [TestCase("/* a */ ; -- b\n ; /* c /* nested */ */ ;")]
    [TestCase(";")]
    public void Whitespace_comments_and_empty_pieces_make_no_statement(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.Statements.Should().BeEmpty();
        script.IsEmpty.Should().BeTrue();
        script.Errors.Should().BeEmpty();
    }

    [TestCase("-- header\n/* block */ SELECT 1 -- trailing\n;", new[] { "SELECT 1" })]
    [TestCase("SELECT 1 /* trailing */ ;", new[] { "SELECT 1" })]
    [TestCase("SELECT 1 -- no newline at the end", new[] { "SELECT 1" })]
    [TestCase("SELECT 1 -- ends with CR\r; SELECT 2", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT /* inner */ 1; SELECT 2 -- c\n\n", new[] { "SELECT /* inner */ 1", "SELECT 2" })]
    [TestCase("SELECT 1 -- c\n + 2; SELECT 3", new[] { "SELECT 1 -- c\n + 2", "SELECT 3" })]
    public void Statements_exclude_leading_and_trailing_whitespace_and_comments(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT 'a;b'; SELECT 2", new[] { "SELECT 'a;b'", "SELECT 2" })]
    [TestCase("SELECT 'it''s; here'; SELECT 2", new[] { "SELECT 'it''s; here'", "SELECT 2" })]
    [TestCase("SELECT ''''; SELECT 2", new[] { "SELECT ''''", "SELECT 2" })]
    [TestCase("SELECT ''; SELECT 2", new[] { "SELECT ''", "SELECT 2" })]
    [TestCase("SELECT 'multi\nline;\n'; SELECT 2", new[] { "SELECT 'multi\nline;\n'", "SELECT 2" })]
    [TestCase("SELECT '--'; SELECT 2", new[] { "SELECT '--'", "SELECT 2" })]
    [TestCase("SELECT '/*'; SELECT 2", new[] { "SELECT '/*'", "SELECT 2" })]
    [TestCase("SELECT '$$'; SELECT 2", new[] { "SELECT '$$'", "SELECT 2" })]
    [TestCase("SELECT '\"'; SELECT 2", new[] { "SELECT '\"'", "SELECT 2" })]
    public void Single_quoted_strings_hide_semicolons(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase(@"SELECT 'C:\'; SELECT 2", new[] { @"SELECT 'C:\'", "SELECT 2" })]
    [TestCase(@"SELECT '\\'; SELECT 2", new[] { @"SELECT '\\'", "SELECT 2" })]
    [TestCase(@"SELECT 'a\''; SELECT 2'", new[] { @"SELECT 'a\''; SELECT 2'" })]
    public void A_backslash_is_not_an_escape_in_standard_strings(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase(@"SELECT E'it\'s; here'; SELECT 2", new[] { @"SELECT E'it\'s; here'", "SELECT 2" })]
    [TestCase(@"SELECT e'\\'; SELECT 2", new[] { @"SELECT e'\\'", "SELECT 2" })]
    [TestCase(@"SELECT E'a''b;c'; SELECT 2", new[] { @"SELECT E'a''b;c'", "SELECT 2" })]
    [TestCase(@"SELECT E'\\\'; x'; SELECT 2", new[] { @"SELECT E'\\\'; x'", "SELECT 2" })]
    [TestCase("SELECT E'\\\n;'; SELECT 2", new[] { "SELECT E'\\\n;'", "SELECT 2" })]
    [TestCase(@"SELECT (E'\'');", new[] { @"SELECT (E'\'')" })]
    public void Escape_strings_honour_backslash_escapes(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase(@"SELECT somee'x\'; SELECT 2", new[] { @"SELECT somee'x\'", "SELECT 2" })]
    [TestCase(@"SELECT 1e'x\'; SELECT 2", new[] { @"SELECT 1e'x\'", "SELECT 2" })]
    [TestCase(@"SELECT 1.e'x\'; SELECT 2", new[] { @"SELECT 1.e'x\'", "SELECT 2" })]
    [TestCase(@"SELECT a.e'x\''; SELECT 2", new[] { @"SELECT a.e'x\''", "SELECT 2" })]
    [TestCase(@"SELECT (E'x\';'); SELECT 2", new[] { @"SELECT (E'x\';')", "SELECT 2" })]
    public void E_is_a_prefix_only_when_it_starts_a_token(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase(@"SELECT U&'a\'; SELECT 2", new[] { @"SELECT U&'a\'", "SELECT 2" })]
    [TestCase(@"SELECT u&'d\0061t;a' UESCAPE '!'; SELECT 2", new[] { @"SELECT u&'d\0061t;a' UESCAPE '!'", "SELECT 2" })]
    [TestCase("SELECT B'01;', b'1', X'1F;', x'f', N'a;b', n'''c;'; SELECT 2", new[] { "SELECT B'01;', b'1', X'1F;', x'f', N'a;b', n'''c;'", "SELECT 2" })]
    [TestCase(@"SELECT X'1\'; SELECT 2", new[] { @"SELECT X'1\'", "SELECT 2" })]
    [TestCase("SELECT U&x; SELECT 2", new[] { "SELECT U&x", "SELECT 2" })]
    public void Unicode_bit_hex_and_national_strings_are_standard_strings(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT 'a'\n'b;'; SELECT 2", new[] { "SELECT 'a'\n'b;'", "SELECT 2" })]
    [TestCase("SELECT E'a'\n'b\\';c'; SELECT 2", new[] { "SELECT E'a'\n'b\\';c'", "SELECT 2" })]
    [TestCase("SELECT E'a' -- comment\n  -- another\n\t'b\\';c'; SELECT 2", new[] { "SELECT E'a' -- comment\n  -- another\n\t'b\\';c'", "SELECT 2" })]
    [TestCase("SELECT E'a'\r'b\\';c'; SELECT 2", new[] { "SELECT E'a'\r'b\\';c'", "SELECT 2" })]
    [TestCase("SELECT E'a'   'b\\'; SELECT 2", new[] { "SELECT E'a'   'b\\'", "SELECT 2" })]
    [TestCase("SELECT E'a' /* c */\n'b\\'; SELECT 2", new[] { "SELECT E'a' /* c */\n'b\\'", "SELECT 2" })]
    [TestCase("SELECT E'a'\nE'b\\''; SELECT 2", new[] { "SELECT E'a'\nE'b\\''", "SELECT 2" })]
    public void A_string_continued_on_the_next_line_keeps_its_kind(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2", new[] { "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "SELECT 2" })]
    [TestCase("DO $body$ BEGIN PERFORM 1; END $body$; SELECT 2", new[] { "DO $body$ BEGIN PERFORM 1; END $body$", "SELECT 2" })]
    [TestCase("SELECT $$it's; \"here\" -- /*$$; SELECT 2", new[] { "SELECT $$it's; \"here\" -- /*$$", "SELECT 2" })]
    [TestCase("SELECT $$$$; SELECT 2", new[] { "SELECT $$$$", "SELECT 2" })]
    [TestCase("SELECT $_x1$ a; $_x1$; SELECT 2", new[] { "SELECT $_x1$ a; $_x1$", "SELECT 2" })]
    [TestCase("SELECT $ü$ a; $ü$; SELECT 2", new[] { "SELECT $ü$ a; $ü$", "SELECT 2" })]
    [TestCase("SELECT $a$ x $a$$a$; y $a$; SELECT 2", new[] { "SELECT $a$ x $a$$a$; y $a$", "SELECT 2" })]
    [TestCase("SELECT $ab$ x $a$ $abc$ ;$ab$; SELECT 2", new[] { "SELECT $ab$ x $a$ $abc$ ;$ab$", "SELECT 2" })]
    [TestCase("SELECT $$ x $a$$; SELECT 2", new[] { "SELECT $$ x $a$$", "SELECT 2" })]
    public void Dollar_quoted_body_with_semicolons_is_one_statement(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("DO $a$ BEGIN EXECUTE $b$ SELECT 1; $b$; END $a$; SELECT 2", new[] { "DO $a$ BEGIN EXECUTE $b$ SELECT 1; $b$; END $a$", "SELECT 2" })]
    [TestCase("SELECT $b$ x $a$ ; y $b$; SELECT 2", new[] { "SELECT $b$ x $a$ ; y $b$", "SELECT 2" })]
    [TestCase("SELECT $A$ x $a$; y $A$; SELECT 2", new[] { "SELECT $A$ x $a$; y $A$", "SELECT 2" })]
    [TestCase("SELECT $fn$ $$ ; $$ $fn$; SELECT 2", new[] { "SELECT $fn$ $$ ; $$ $fn$", "SELECT 2" })]
    public void Dollar_quotes_with_different_tags_nest(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT $1; SELECT $2", new[] { "SELECT $1", "SELECT $2" })]
    [TestCase("PREPARE p (int, int) AS SELECT $1 + $2; EXECUTE p(1, 2)", new[] { "PREPARE p (int, int) AS SELECT $1 + $2", "EXECUTE p(1, 2)" })]
    [TestCase("SELECT $1$; SELECT 2", new[] { "SELECT $1$", "SELECT 2" })]
    [TestCase("SELECT $12abc$; SELECT 2", new[] { "SELECT $12abc$", "SELECT 2" })]
    [TestCase("SELECT a$b$; SELECT 2", new[] { "SELECT a$b$", "SELECT 2" })]
    [TestCase("SELECT x$$; SELECT 2", new[] { "SELECT x$$", "SELECT 2" })]
    [TestCase("SELECT $abc; SELECT 2", new[] { "SELECT $abc", "SELECT 2" })]
    [TestCase("SELECT $ ; SELECT 2", new[] { "SELECT $", "SELECT 2" })]
    [TestCase("SELECT $a b$; SELECT 2", new[] { "SELECT $a b$", "SELECT 2" })]
    [TestCase("SELECT $1a$ x; SELECT 2", new[] { "SELECT $1a$ x", "SELECT 2" })]
    public void Parameters_and_dollars_inside_identifiers_are_not_dollar_quotes(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT 1 AS \"a;b\"; SELECT 2", new[] { "SELECT 1 AS \"a;b\"", "SELECT 2" })]
    [TestCase("SELECT 1 AS \"a\"\";b\"; SELECT 2", new[] { "SELECT 1 AS \"a\"\";b\"", "SELECT 2" })]
    [TestCase("SELECT 1 AS U&\"a;b\"; SELECT 2", new[] { "SELECT 1 AS U&\"a;b\"", "SELECT 2" })]
    [TestCase("SELECT \"it's; -- /*\"; SELECT 2", new[] { "SELECT \"it's; -- /*\"", "SELECT 2" })]
    [TestCase("SELECT \"$$\"; SELECT 2", new[] { "SELECT \"$$\"", "SELECT 2" })]
    public void Quoted_identifiers_hide_semicolons(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT 1 -- ; not a split\n; SELECT 2", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT /* ; */ 1; SELECT 2", new[] { "SELECT /* ; */ 1", "SELECT 2" })]
    [TestCase("SELECT /* a /* b; */ c; */ 1; SELECT 2", new[] { "SELECT /* a /* b; */ c; */ 1", "SELECT 2" })]
    [TestCase("SELECT /*/ ; */ 1; SELECT 2", new[] { "SELECT /*/ ; */ 1", "SELECT 2" })]
    [TestCase("SELECT /**/ 1; SELECT 2", new[] { "SELECT /**/ 1", "SELECT 2" })]
    [TestCase("SELECT /* ** ; **/ 1; SELECT 2", new[] { "SELECT /* ** ; **/ 1", "SELECT 2" })]
    [TestCase("SELECT /* it's */ 1; SELECT 2", new[] { "SELECT /* it's */ 1", "SELECT 2" })]
    [TestCase("-- it's\nSELECT 1; SELECT 2", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT 1 -- $$ \" '\n; SELECT 2", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT 2*/*x;*/3; SELECT 2", new[] { "SELECT 2*/*x;*/3", "SELECT 2" })]
    [TestCase("SELECT 1+--x;\n2; SELECT 3", new[] { "SELECT 1+--x;\n2", "SELECT 3" })]
    [TestCase("SELECT 1 <-- x;\n2; SELECT 3", new[] { "SELECT 1 <-- x;\n2", "SELECT 3" })]
    [TestCase("SELECT 1 - -2; SELECT 3", new[] { "SELECT 1 - -2", "SELECT 3" })]
    public void Comments_hide_semicolons_and_block_comments_nest(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT (1; 2); SELECT 3", new[] { "SELECT (1; 2)", "SELECT 3" })]
    [TestCase("SELECT ((1;) ;); SELECT 3", new[] { "SELECT ((1;) ;)", "SELECT 3" })]
    [TestCase("SELECT 1); SELECT 2", new[] { "SELECT 1)", "SELECT 2" })]
    [TestCase("SELECT ')'; SELECT (';'); SELECT 3", new[] { "SELECT ')'", "SELECT (';')", "SELECT 3" })]
    [TestCase("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1", new[] { "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))", "SELECT 1" })]
    [TestCase("SELECT (1; SELECT 2", new[] { "SELECT (1; SELECT 2" })]
    public void Semicolons_inside_parentheses_do_not_split(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3",
        new[] { "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END", "SELECT 3" })]
    [TestCase(
        "create or replace function f(x int) returns text language sql\nbegin atomic\n  select case when x > 0 then 'pos' else 'neg' end;\nend;\nselect 3",
        new[] { "create or replace function f(x int) returns text language sql\nbegin atomic\n  select case when x > 0 then 'pos' else 'neg' end;\nend", "select 3" })]
    [TestCase(
        "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END; CALL p()",
        new[] { "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END", "CALL p()" })]
    [TestCase(
        "CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT CASE WHEN true THEN CASE 1 WHEN 1 THEN 2 END END; SELECT (CASE WHEN false THEN 1 END); END; SELECT 3",
        new[] { "CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC SELECT CASE WHEN true THEN CASE 1 WHEN 1 THEN 2 END END; SELECT (CASE WHEN false THEN 1 END); END", "SELECT 3" })]
    [TestCase(
        "CREATE /* c */ FUNCTION f() RETURNS int BEGIN /* c */ ATOMIC -- c\n SELECT 1; END; SELECT 3",
        new[] { "CREATE /* c */ FUNCTION f() RETURNS int BEGIN /* c */ ATOMIC -- c\n SELECT 1; END", "SELECT 3" })]
    [TestCase(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 'END;'; SELECT 1 AS \"end\"; END; SELECT 3",
        new[] { "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 'END;'; SELECT 1 AS \"end\"; END", "SELECT 3" })]
    public void Begin_atomic_bodies_of_functions_and_procedures_are_one_statement(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("BEGIN; SELECT 1; END; SELECT 2", new[] { "BEGIN", "SELECT 1", "END", "SELECT 2" })]
    [TestCase("BEGIN ATOMIC; SELECT 1; END", new[] { "BEGIN ATOMIC", "SELECT 1", "END" })]
    [TestCase("SELECT CASE WHEN true THEN 1 END; SELECT 2", new[] { "SELECT CASE WHEN true THEN 1 END", "SELECT 2" })]
    [TestCase("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'SELECT 1'; SELECT 2", new[] { "CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'SELECT 1'", "SELECT 2" })]
    [TestCase("CREATE FUNCTION f() RETURNS text LANGUAGE sql RETURN 'BEGIN ATOMIC'; SELECT 2", new[] { "CREATE FUNCTION f() RETURNS text LANGUAGE sql RETURN 'BEGIN ATOMIC'", "SELECT 2" })]
    [TestCase("CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql; SELECT 2", new[] { "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql", "SELECT 2" })]
    [TestCase("CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f(); BEGIN; SELECT 1", new[] { "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()", "BEGIN", "SELECT 1" })]
    [TestCase("CREATE TABLE t (begin int); BEGIN; SELECT 1", new[] { "CREATE TABLE t (begin int)", "BEGIN", "SELECT 1" })]
    [TestCase("CREATE \"FUNCTION\" f() BEGIN ATOMIC SELECT 1; END", new[] { "CREATE \"FUNCTION\" f() BEGIN ATOMIC SELECT 1", "END" })]
    [TestCase("CREATE FUNCTION f(begin atomic) RETURNS int; SELECT 2", new[] { "CREATE FUNCTION f(begin atomic) RETURNS int", "SELECT 2" })]
    [TestCase("CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT begin; END; SELECT 2", new[] { "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT begin; END", "SELECT 2" })]
    public void Begin_and_end_only_nest_inside_a_routine_body(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [TestCase("SELECT 1.5e10, .5, 1..2, 0x1F, 1_000; SELECT 2", new[] { "SELECT 1.5e10, .5, 1..2, 0x1F, 1_000", "SELECT 2" })]
    [TestCase("SELECT 1::int, a.b, t.*, x <> y, x != y, x ->> 'k;'; SELECT 2", new[] { "SELECT 1::int, a.b, t.*, x <> y, x != y, x ->> 'k;'", "SELECT 2" })]
    [TestCase("SELECT naïve, \u00A0x, 日本語; SELECT 2", new[] { "SELECT naïve, \u00A0x, 日本語", "SELECT 2" })]
    [TestCase("SELECT \0; SELECT 2", new[] { "SELECT \0", "SELECT 2" })]
    [TestCase("SELECT '\uD800'; SELECT \uDC00", new[] { "SELECT '\uD800'", "SELECT \uDC00" })]
    [TestCase("SELECT 1 \\gset\nSELECT 2", new[] { "SELECT 1", "SELECT 2" })]
    public void Other_tokens_do_not_disturb_splitting(string sql, string[] expected)
    {
        Split(sql).Should().Equal(expected);
    }

    [Test]
    public void Statement_offsets_point_at_the_first_token_and_text_is_the_exact_substring()
    {
        const string sql = "-- header\n/* c */  SELECT 1 ; \n\n  INSERT INTO t VALUES ('a;b') -- trailing\n;UPDATE t SET a = 1";
        SqlScript script = SqlScript.Parse(sql);

        script.Statements.Select(s => (s.Offset, s.Length)).Should().Equal(
            (sql.IndexOf("SELECT", StringComparison.Ordinal), "SELECT 1".Length),
            (sql.IndexOf("INSERT", StringComparison.Ordinal), "INSERT INTO t VALUES ('a;b')".Length),
            (sql.IndexOf("UPDATE", StringComparison.Ordinal), "UPDATE t SET a = 1".Length));
        script.Statements.Should().AllSatisfy(s => s.Text.Should().Be(sql.Substring(s.Offset, s.Length)));
        script.Statements.Should().AllSatisfy(s => s.AsSpan().ToString().Should().Be(s.Text));
        script.Statements.Should().AllSatisfy(s => s.Script.Should().BeSameAs(script));
        script.Statements[1].ToString().Should().Be("INSERT INTO t VALUES ('a;b')");
    }

    [Test]
    public void A_realistic_migration_splits_into_its_statements()
    {
        const string sql = """
            -- 0001_create_users.up.sql
            CREATE TABLE users (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email text NOT NULL CHECK (email LIKE '%@%'),
                note text DEFAULT 'it''s; fine'
            );

            CREATE FUNCTION users_touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                -- a comment with a ; and a ' inside
                NEW.note := format($f$%s; %s$f$, NEW.note, 'x');
                RETURN NEW;
            END;
            $fn$;

            /* The trigger; /* nested */ still a comment */
            CREATE TRIGGER users_touch BEFORE UPDATE ON users
                FOR EACH ROW EXECUTE FUNCTION users_touch();

            COMMENT ON TABLE users IS E'People\'s accounts; one row each';
            """;

        string[] statements = Split(sql);

        statements.Should().HaveCount(4);
        statements[0].Should().StartWith("CREATE TABLE users (").And.EndWith(")");
        statements[1].Should().StartWith("CREATE FUNCTION users_touch()").And.EndWith("$fn$");
        statements[2].Should().StartWith("CREATE TRIGGER users_touch").And.EndWith("users_touch()");
        statements[3].Should().Be(@"COMMENT ON TABLE users IS E'People\'s accounts; one row each'");
    }

    [Test]
    public void Parse_rejects_null()
    {
        Action parse = () => SqlScript.Parse(null!);

        parse.Should().Throw<ArgumentNullException>();
    }
}
