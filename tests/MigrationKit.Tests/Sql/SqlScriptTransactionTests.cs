using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlScriptTransactionTests
{
    [TestCase("")]
    [TestCase("-- nothing")]
    [TestCase("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);")]
    [TestCase("SELECT 'BEGIN'; SELECT 'COMMIT'")]
    [TestCase("DO $$ BEGIN PERFORM 1; END $$;")]
    public void A_script_without_transaction_control_has_no_shape_and_runs_in_a_transaction(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.TransactionShape.Should().Be(TransactionShape.None);
        script.Body.Should().BeSameAs(script.Statements);
        script.RunsOutsideTransaction.Should().BeFalse();
        script.OutsideTransactionReason.Should().BeNull();
    }

    [TestCase("BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;", new[] { "CREATE TABLE t (a int)" })]
    [TestCase("BEGIN WORK; SELECT 1; SELECT 2; END;", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("START TRANSACTION; SELECT 1; COMMIT TRANSACTION", new[] { "SELECT 1" })]
    [TestCase("begin transaction; select 1; end work;", new[] { "select 1" })]
    [TestCase("BEGIN; SELECT 1; COMMIT AND NO CHAIN;", new[] { "SELECT 1" })]
    [TestCase("-- header\nBEGIN; /* c */ SELECT 1; COMMIT; -- done\n", new[] { "SELECT 1" })]
    [TestCase("BEGIN; COMMIT;", new string[0])]
    [TestCase("BEGIN;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOMMIT;", new[] { "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END" })]
    public void A_plain_begin_and_commit_around_the_script_make_it_wrapped(string sql, string[] body)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.TransactionShape.Should().Be(TransactionShape.Wrapped);
        script.Body.Select(s => s.Text).Should().Equal(body);
        script.Body.Should().Equal(script.Statements.Skip(1).Take(script.Statements.Count - 2));
        script.RunsOutsideTransaction.Should().BeFalse();
        script.OutsideTransactionReason.Should().BeNull();
    }

    [TestCase("BEGIN;\nCREATE TABLE t (a int);", "line 1: it controls transactions itself (BEGIN)")]
    [TestCase("CREATE TABLE a (x int);\nCOMMIT;", "line 2: it controls transactions itself (COMMIT)")]
    [TestCase("CREATE TABLE a (x int);\nCOMMIT;\nCREATE TABLE b (x int);", "line 2: it controls transactions itself (COMMIT)")]
    [TestCase("BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;", "line 3: it controls transactions itself (COMMIT)")]
    [TestCase("BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;", "line 1: it controls transactions itself (BEGIN with transaction modes)")]
    [TestCase("START TRANSACTION READ ONLY;\nSELECT 1;\nCOMMIT;", "line 1: it controls transactions itself (START TRANSACTION with transaction modes)")]
    [TestCase("BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;", "line 3: it controls transactions itself (COMMIT AND CHAIN)")]
    [TestCase("BEGIN;\nSAVEPOINT s;\nSELECT 1;\nRELEASE SAVEPOINT s;\nCOMMIT;", "line 2: it controls transactions itself (SAVEPOINT)")]
    [TestCase("BEGIN;\nSELECT 1;\nROLLBACK TO SAVEPOINT s;\nCOMMIT;", "line 3: it controls transactions itself (ROLLBACK TO SAVEPOINT)")]
    [TestCase("BEGIN;\nSELECT 1;\nROLLBACK;", "line 3: it controls transactions itself (ROLLBACK)")]
    [TestCase("SELECT 1;\nABORT;", "line 2: it controls transactions itself (ABORT)")]
    [TestCase("BEGIN;\nSELECT 1;\nPREPARE TRANSACTION 'x';", "line 3: it controls transactions itself (PREPARE TRANSACTION)")]
    [TestCase("COMMIT PREPARED 'x';", "line 1: it controls transactions itself (COMMIT PREPARED)")]
    [TestCase("\n\nROLLBACK PREPARED 'x';", "line 3: it controls transactions itself (ROLLBACK PREPARED)")]
    [TestCase("BEGIN;", "line 1: it controls transactions itself (BEGIN)")]
    [TestCase("COMMIT;", "line 1: it controls transactions itself (COMMIT)")]
    [TestCase("COMMIT;\nSELECT 1;\nBEGIN;", "line 1: it controls transactions itself (COMMIT)")]
    [TestCase("SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;", "line 2: it controls transactions itself (BEGIN)")]
    [TestCase("BEGIN;\nSELECT 1;\nEND AND CHAIN;", "line 3: it controls transactions itself (END AND CHAIN)")]
    public void Any_other_transaction_control_makes_the_script_run_as_written_outside_a_transaction(string sql, string reason)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.TransactionShape.Should().Be(TransactionShape.Other);
        script.Body.Should().BeSameAs(script.Statements);
        script.RunsOutsideTransaction.Should().BeTrue();
        script.OutsideTransactionReason.Should().Be(reason);
    }

    [TestCase("CREATE TABLE t (a int);\n\nCREATE INDEX CONCURRENTLY i ON t (a);", "line 3: CREATE INDEX CONCURRENTLY cannot run inside a transaction block")]
    [TestCase("VACUUM;", "line 1: VACUUM cannot run inside a transaction block")]
    [TestCase("SELECT 1;\n  DROP INDEX CONCURRENTLY i;\nVACUUM;", "line 2: DROP INDEX CONCURRENTLY cannot run inside a transaction block")]
    [TestCase("CLUSTER;", "line 1: CLUSTER without a table cannot run inside a transaction block")]
    public void A_statement_postgresql_refuses_in_a_transaction_block_makes_the_script_run_outside_one(string sql, string reason)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.TransactionShape.Should().Be(TransactionShape.None);
        script.RunsOutsideTransaction.Should().BeTrue();
        script.OutsideTransactionReason.Should().Be(reason);
    }

    [Test]
    public void A_wrapped_script_with_a_non_transactional_statement_keeps_its_shape_but_runs_outside_a_transaction()
    {
        SqlScript script = SqlScript.Parse("BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;");

        script.TransactionShape.Should().Be(TransactionShape.Wrapped);
        script.Body.Should().ContainSingle().Which.NonTransactionalReason.Should().Be("CREATE INDEX CONCURRENTLY");
        script.RunsOutsideTransaction.Should().BeTrue();
        script.OutsideTransactionReason.Should().Be("line 2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block");
    }

    [TestCase("VACUUM;\nCOMMIT;", "line 1: VACUUM cannot run inside a transaction block")]
    [TestCase("COMMIT;\nVACUUM;", "line 1: it controls transactions itself (COMMIT)")]
    public void The_reason_names_the_first_statement_that_forces_running_outside_a_transaction(string sql, string reason)
    {
        SqlScript.Parse(sql).OutsideTransactionReason.Should().Be(reason);
    }

    [TestCase("-- migrationkit:no-transaction\nCREATE TABLE t (a int);")]
    [TestCase("--migrationkit:no-transaction\nSELECT 1")]
    [TestCase("--   MigrationKit:No-Transaction   \nSELECT 1")]
    [TestCase("--\tMIGRATIONKIT:NO-TRANSACTION\t\nSELECT 1")]
    [TestCase("-- migrationkit:no-transaction\r\nSELECT 1")]
    [TestCase("\n\n   -- migrationkit:no-transaction\nSELECT 1")]
    [TestCase("-- 0002_add_index.up.sql\n-- migrationkit:no-transaction\nSELECT 1")]
    [TestCase("/* header\n   spanning lines */\n-- migrationkit:no-transaction\nSELECT 1")]
    [TestCase("/* a */ -- migrationkit:no-transaction\nSELECT 1")]
    [TestCase(";\n-- migrationkit:no-transaction\nSELECT 1")]
    [TestCase("-- migrationkit:no-transaction")]
    [TestCase("-- migrationkit:no-transaction\n-- migrationkit:no-transaction\nSELECT 1")]
    public void A_directive_comment_before_the_first_statement_makes_the_script_run_outside_a_transaction(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.HasNoTransactionDirective.Should().BeTrue();
        script.RunsOutsideTransaction.Should().BeTrue();
        script.OutsideTransactionReason.Should().Be("it carries -- migrationkit:no-transaction");
    }

    [TestCase("SELECT 1;\n-- migrationkit:no-transaction\nSELECT 2")]
    [TestCase("SELECT 1 -- migrationkit:no-transaction\n")]
    [TestCase("-- migrationkit:no-transaction please\nSELECT 1")]
    [TestCase("-- migrationkit: no-transaction\nSELECT 1")]
    [TestCase("-- migrationkit:no-transactions\nSELECT 1")]
    [TestCase("-- migrationkit:no_transaction\nSELECT 1")]
    [TestCase("--- migrationkit:no-transaction\nSELECT 1")]
    [TestCase("-- - migrationkit:no-transaction\nSELECT 1")]
    [TestCase("-- xmigrationkit:no-transaction\nSELECT 1")]
    [TestCase("/* migrationkit:no-transaction */ SELECT 1")]
    [TestCase("/* -- migrationkit:no-transaction */ SELECT 1")]
    [TestCase("SELECT '\n-- migrationkit:no-transaction\n'")]
    [TestCase("SELECT $$\n-- migrationkit:no-transaction\n$$")]
    [TestCase("-- migrationkit:no-transaction\u00A0\nSELECT 1")]
    public void Comments_that_are_not_exactly_the_directive_before_the_first_statement_are_not_directives(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);

        script.HasNoTransactionDirective.Should().BeFalse();
        script.RunsOutsideTransaction.Should().BeFalse();
    }

    [Test]
    public void The_directive_wins_over_other_reasons_and_leaves_the_shape_alone()
    {
        SqlScript script = SqlScript.Parse("-- migrationkit:no-transaction\nBEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;");

        script.HasNoTransactionDirective.Should().BeTrue();
        script.TransactionShape.Should().Be(TransactionShape.Wrapped);
        script.OutsideTransactionReason.Should().Be("it carries -- migrationkit:no-transaction");
    }
}
