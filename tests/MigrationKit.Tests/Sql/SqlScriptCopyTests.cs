using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptCopyTests
{
    private const string PgDumpStyle =
        "SET client_encoding = 'UTF8';\n" +
        "\n" +
        "COPY public.accounts (id, name, note) FROM stdin;\n" +
        "1\tAda\t\\N\n" +
        "2\tit's; \"quoted\" -- not a comment\t/* nor this */\n" +
        "3\tback\\\\slash and tab\\there\t$$ 'open\n" +
        "4\tünïcødé 😀\tE'x\n" +
        "\\.\n" +
        "SELECT pg_catalog.setval('public.accounts_id_seq', 4, true);\n";

    [Test]
    public void The_data_block_of_a_pg_dump_copy_is_the_statements_data_and_never_sql()
    {
        SqlScript script = SqlScript.Parse(PgDumpStyle);

        script.Errors.Should().BeEmpty();
        script.Statements.Select(s => s.Text).Should().Equal(
            "SET client_encoding = 'UTF8'",
            "COPY public.accounts (id, name, note) FROM stdin",
            "SELECT pg_catalog.setval('public.accounts_id_seq', 4, true)");
        SqlCopyData data = script.Statements[1].CopyData!;
        data.Text.Should().Be(
            "1\tAda\t\\N\n" +
            "2\tit's; \"quoted\" -- not a comment\t/* nor this */\n" +
            "3\tback\\\\slash and tab\\there\t$$ 'open\n" +
            "4\tünïcødé 😀\tE'x\n");
        data.StartLine.Should().Be(4);
        data.Format.Should().Be(SqlCopyFormat.Text);
        data.IsTerminated.Should().BeTrue();
        script.Statements[1].IsCopyFromStdin.Should().BeTrue();
        script.Statements[0].CopyData.Should().BeNull();
        script.Statements[2].Position.Should().Be(new SqlPosition(9, 1));
    }

    [TestCase("COPY t FROM stdin;", SqlCopyFormat.Text)]
    [TestCase("copy t from STDIN;", SqlCopyFormat.Text)]
    [TestCase("Copy \"T\" (\"from\", b) From Stdin;", SqlCopyFormat.Text)]
    [TestCase("COPY t (a, b) FROM STDIN WITH (FORMAT csv);", SqlCopyFormat.Csv)]
    [TestCase("COPY t FROM STDIN (format 'CSV', header true, force_not_null (a, b));", SqlCopyFormat.Csv)]
    [TestCase("COPY t FROM STDIN WITH (FORMAT text, DELIMITER ',');", SqlCopyFormat.Text)]
    [TestCase("COPY t FROM stdin CSV HEADER;", SqlCopyFormat.Csv)]
    [TestCase("COPY t FROM stdin WITH DELIMITER ',' CSV QUOTE AS '''';", SqlCopyFormat.Csv)]
    [TestCase("COPY t FROM stdin WITH NULL AS '' DELIMITER '|';", SqlCopyFormat.Text)]
    [TestCase("COPY t FROM stdin WHERE a > 1;", SqlCopyFormat.Text)]
    [TestCase("COPY /* c */ t -- c\nFROM\nstdin;", SqlCopyFormat.Text)]
    public void Copy_from_stdin_is_recognised_in_any_case_and_with_any_options(string statement, SqlCopyFormat format)
    {
        SqlScript script = SqlScript.Parse(statement + "\n1,2\n\\.\nSELECT 1;");

        script.Errors.Should().BeEmpty();
        script.Statements.Should().HaveCount(2);
        script.Statements[0].CopyData!.Format.Should().Be(format);
        script.Statements[0].CopyData!.Text.Should().Be("1,2\n");
        script.Statements[1].Text.Should().Be("SELECT 1");
    }

    [TestCase("COPY t TO stdout;\nSELECT 1;")]
    [TestCase("COPY (SELECT a FROM stdin) TO STDOUT;\nSELECT 1;")]
    [TestCase("COPY t FROM '/var/lib/data.csv' WITH (FORMAT csv);\nSELECT 1;")]
    [TestCase("COPY t FROM PROGRAM 'cat /x';\nSELECT 1;")]
    [TestCase("COPY t FROM \"stdin\";\nSELECT 1;")]
    [TestCase("SELECT 'COPY t FROM stdin';\nSELECT 1;")]
    [TestCase("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ COPY t FROM stdin; $$;\nSELECT 1;")]
    public void Other_copy_statements_and_copy_in_strings_are_ordinary_statements(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.Errors.Should().BeEmpty();
        script.Statements.Should().HaveCount(2).And.OnlyContain(s => s.CopyData == null);
    }

    [Test]
    public void Lines_that_only_look_like_the_end_marker_are_data()
    {
        const string data = " \\.\n\\.x\n\\\\.\n\\. \n\\.\\.\nx\\.\n";
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n" + data + "\\.\nSELECT 1;");

        script.Errors.Should().BeEmpty();
        script.Statements[0].CopyData!.Text.Should().Be(data);
        script.Statements[1].Position.Should().Be(new SqlPosition(9, 1));
    }

    [Test]
    public void Crlf_lines_keep_their_endings_and_end_at_a_crlf_marker()
    {
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\r\n1\ta\r\n2\tb\r\n\\.\r\nSELECT 1;\r\n");

        script.Errors.Should().BeEmpty();
        script.Statements[0].CopyData!.Text.Should().Be("1\ta\r\n2\tb\r\n");
        script.Statements[1].Text.Should().Be("SELECT 1");
        script.Statements[1].Position.Should().Be(new SqlPosition(5, 1));
    }

    [Test]
    public void A_lone_cr_does_not_end_a_data_line_as_psql_reads_lines_up_to_lf()
    {
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\r\\.\n\\.\nSELECT 1;");

        script.Statements[0].CopyData!.Text.Should().Be("1\r\\.\n");
        script.Statements[1].Text.Should().Be("SELECT 1");
    }

    [Test]
    public void An_end_marker_on_the_last_line_without_a_newline_ends_the_data()
    {
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n1\n\\.");

        script.Errors.Should().BeEmpty();
        script.Statements.Should().ContainSingle().Which.CopyData!.Text.Should().Be("1\n");
    }

    [Test]
    public void An_empty_data_block_is_empty()
    {
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;\n\\.\nSELECT 1;");

        script.Errors.Should().BeEmpty();
        script.Statements[0].CopyData!.Text.Should().BeEmpty();
        script.Statements[0].CopyData!.StartLine.Should().Be(2);
    }

    [Test]
    public void Consecutive_copy_blocks_each_keep_their_own_data()
    {
        SqlScript script = SqlScript.Parse("COPY a FROM stdin;\n1\n\\.\nCOPY b FROM stdin;\n2\n3\n\\.\n\nCOPY c FROM stdin;\n\\.\n");

        script.Errors.Should().BeEmpty();
        script.Statements.Select(s => (s.Text, s.CopyData!.Text, s.CopyData.StartLine)).Should().Equal(
            ("COPY a FROM stdin", "1\n", 2),
            ("COPY b FROM stdin", "2\n3\n", 5),
            ("COPY c FROM stdin", string.Empty, 10));
    }

    [Test]
    public void A_comment_after_the_semicolon_is_allowed_and_the_data_starts_on_the_next_line()
    {
        SqlScript script = SqlScript.Parse("COPY t FROM stdin;; -- data follows; 'really'\n1\n\\.\nSELECT /* x */ 1; COPY u FROM stdin; /* c */\n2\n\\.\n");

        script.Errors.Should().BeEmpty();
        script.Statements.Select(s => s.Text).Should().Equal("COPY t FROM stdin", "SELECT /* x */ 1", "COPY u FROM stdin");
        script.Statements[2].CopyData!.Text.Should().Be("2\n");
    }

    [Test]
    public void A_wrapped_script_with_copy_blocks_keeps_its_wrapper_shape()
    {
        SqlScript script = SqlScript.Parse("BEGIN;\nCOPY t FROM stdin;\nCOMMIT;\n\\.\nCOMMIT;\n");

        script.Errors.Should().BeEmpty();
        script.TransactionShape.Should().Be(TransactionShape.Wrapped);
        script.Body.Should().ContainSingle().Which.CopyData!.Text.Should().Be("COMMIT;\n");
        script.RunsOutsideTransaction.Should().BeFalse();
    }

    [Test]
    public void Data_without_an_end_marker_is_an_error_at_the_copy_and_runs_to_the_end()
    {
        const string sql = "SELECT 1;\n  COPY t FROM stdin;\n1\n2\nSELECT 2;\n";
        SqlScript script = SqlScript.Parse(sql);

        script.Statements.Select(s => s.Text).Should().Equal("SELECT 1", "COPY t FROM stdin");
        script.Statements[1].CopyData!.Text.Should().Be("1\n2\nSELECT 2;\n");
        script.Statements[1].CopyData!.IsTerminated.Should().BeFalse();
        SqlSyntaxError error = script.Errors.Should().ContainSingle().Subject;
        error.Kind.Should().Be(SqlSyntaxErrorKind.UnterminatedCopyData);
        error.Position.Should().Be(new SqlPosition(2, 3));
        error.Offset.Should().Be(12);
        error.Message.Should().Be(
            "unterminated data of COPY ... FROM STDIN at line 2, column 3: no line holding only \\. ends it, so every line from line 3 to the end of the script would be sent as its data. End the data with a line holding only \\.");
    }

    [TestCase("COPY t FROM stdin")]
    [TestCase("COPY t FROM stdin;")]
    [TestCase("COPY t FROM stdin;\n")]
    public void A_copy_with_no_data_block_at_the_end_of_the_script_is_an_error(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.Statements.Should().HaveCount(1);
        script.Errors.Should().ContainSingle().Which.Should().Match<SqlSyntaxError>(
            e => e.Kind == SqlSyntaxErrorKind.UnterminatedCopyData && e.Position == new SqlPosition(1, 1));
    }

    [TestCase("COPY t FROM stdin; SELECT 1;\n1\n\\.\n", 20)]
    [TestCase("COPY t FROM stdin; /* open\n1\n\\.\n", 20)]
    public void Sql_after_the_semicolon_on_the_copys_line_is_an_error(string sql, int column)
    {
        SqlScript script = SqlScript.Parse(sql);

        SqlSyntaxError error = script.Errors.Should().ContainSingle().Subject;
        error.Kind.Should().Be(SqlSyntaxErrorKind.TextAfterCopy);
        error.Position.Should().Be(new SqlPosition(1, column));
        script.Statements[0].CopyData!.Text.Should().Be("1\n");
    }

    [TestCase("COPY t FROM stdin WITH (FORMAT binary);\n\\.\n")]
    [TestCase("COPY BINARY t FROM stdin;\n\\.\n")]
    [TestCase("COPY t FROM stdin BINARY;\n\\.\n")]
    public void A_binary_copy_from_stdin_is_an_error(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.Errors.Should().ContainSingle().Which.Kind.Should().Be(SqlSyntaxErrorKind.BinaryCopyData);
        script.Statements[0].CopyData!.Format.Should().Be(SqlCopyFormat.Binary);
    }

    [Test]
    public void A_server_line_number_in_text_data_maps_to_the_line_in_the_script()
    {
        SqlScript script = SqlScript.Parse("-- seed\nCOPY t FROM stdin;\na\nb\nc\n\\.\n");
        SqlCopyData data = script.Statements[0].CopyData!;

        data.GetPositionOfDataLine(1).Should().Be(new SqlPosition(3, 1));
        data.GetPositionOfDataLine(3).Should().Be(new SqlPosition(5, 1));
        data.GetPositionOfDataLine(4).Should().BeNull();
        data.GetPositionOfDataLine(0).Should().BeNull();
    }

    [Test]
    public void A_server_line_number_in_csv_data_counts_the_newlines_inside_quoted_values_too()
    {
        SqlScript script = SqlScript.Parse("COPY t FROM stdin WITH (FORMAT csv);\n1,\"two\nlines, \"\"quoted\"\"\"\n2,x\n\\.\n");
        SqlCopyData data = script.Statements[0].CopyData!;

        data.GetPositionOfDataLine(2).Should().Be(new SqlPosition(3, 1));
        data.GetPositionOfDataLine(3).Should().Be(new SqlPosition(4, 1));
    }
}
