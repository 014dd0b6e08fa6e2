using MigrationKit.Sql;

namespace MigrationKit.Tests.Sql;

internal sealed class SqlStatementClassificationTests
{
    private static SqlStatement Single(string sql)
    {
        SqlScript script = SqlScript.Parse(sql);
        script.Statements.Should().ContainSingle();
        return script.Statements[0];
    }

    [TestCase("BEGIN", SqlStatementKind.Begin)]
    [TestCase("begin work", SqlStatementKind.Begin)]
    [TestCase("Begin Transaction", SqlStatementKind.Begin)]
    [TestCase("BEGIN ISOLATION LEVEL SERIALIZABLE", SqlStatementKind.Begin)]
    [TestCase("START TRANSACTION", SqlStatementKind.Begin)]
    [TestCase("start transaction read only", SqlStatementKind.Begin)]
    [TestCase("COMMIT", SqlStatementKind.Commit)]
    [TestCase("commit work", SqlStatementKind.Commit)]
    [TestCase("COMMIT TRANSACTION", SqlStatementKind.Commit)]
    [TestCase("COMMIT AND CHAIN", SqlStatementKind.Commit)]
    [TestCase("END", SqlStatementKind.Commit)]
    [TestCase("end transaction", SqlStatementKind.Commit)]
    [TestCase("ROLLBACK", SqlStatementKind.Rollback)]
    [TestCase("ROLLBACK WORK", SqlStatementKind.Rollback)]
    [TestCase("ROLLBACK AND CHAIN", SqlStatementKind.Rollback)]
    [TestCase("ABORT", SqlStatementKind.Rollback)]
    [TestCase("abort transaction", SqlStatementKind.Rollback)]
    [TestCase("SAVEPOINT sp", SqlStatementKind.Savepoint)]
    [TestCase("RELEASE sp", SqlStatementKind.Savepoint)]
    [TestCase("RELEASE SAVEPOINT sp", SqlStatementKind.Savepoint)]
    [TestCase("ROLLBACK TO sp", SqlStatementKind.Savepoint)]
    [TestCase("ROLLBACK TO SAVEPOINT sp", SqlStatementKind.Savepoint)]
    [TestCase("rollback transaction to savepoint sp", SqlStatementKind.Savepoint)]
    [TestCase("PREPARE TRANSACTION 'gid'", SqlStatementKind.OtherTransactionControl)]
    [TestCase("PREPARE TRANSACTION $$gid$$", SqlStatementKind.OtherTransactionControl)]
    [TestCase("COMMIT PREPARED 'gid'", SqlStatementKind.OtherTransactionControl)]
    [TestCase("ROLLBACK PREPARED 'gid'", SqlStatementKind.OtherTransactionControl)]
    [TestCase("/* leading */ COMMIT", SqlStatementKind.Commit)]
    [TestCase("-- leading\nROLLBACK -- trailing", SqlStatementKind.Rollback)]
    [TestCase("COMMIT /* why */ PREPARED 'gid'", SqlStatementKind.OtherTransactionControl)]
    public void Transaction_control_statements_are_recognised(string sql, SqlStatementKind kind)
    {
        Single(sql).Kind.Should().Be(kind);
    }

    [TestCase("PREPARE p AS SELECT 1")]
    [TestCase("PREPARE transaction AS SELECT 1")]
    [TestCase("PREPARE transaction (int) AS SELECT $1")]
    [TestCase("EXECUTE p")]
    [TestCase("START")]
    [TestCase("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")]
    [TestCase("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")]
    [TestCase("SELECT 'COMMIT'")]
    [TestCase("\"BEGIN\"")]
    [TestCase("(COMMIT)")]
    [TestCase("beginning")]
    [TestCase("commit_log")]
    [TestCase("begın")]
    [TestCase("BEGİN")]
    [TestCase("DO $$BEGIN COMMIT; END$$")]
    [TestCase("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'SELECT 1'")]
    [TestCase("CALL commit()")]
    [TestCase("/* COMMIT */ SELECT 1")]
    public void Other_statements_are_not_transaction_control(string sql)
    {
        Single(sql).Kind.Should().Be(SqlStatementKind.Other);
    }

    [TestCase("BEGIN", true)]
    [TestCase("BEGIN WORK", true)]
    [TestCase("BEGIN TRANSACTION", true)]
    [TestCase("START TRANSACTION", true)]
    [TestCase("BEGIN ISOLATION LEVEL SERIALIZABLE", false)]
    [TestCase("BEGIN TRANSACTION READ ONLY", false)]
    [TestCase("BEGIN DEFERRABLE", false)]
    [TestCase("START TRANSACTION READ WRITE", false)]
    [TestCase("COMMIT", true)]
    [TestCase("COMMIT WORK", true)]
    [TestCase("COMMIT TRANSACTION", true)]
    [TestCase("END", true)]
    [TestCase("END WORK", true)]
    [TestCase("END TRANSACTION", true)]
    [TestCase("COMMIT AND NO CHAIN", true)]
    [TestCase("COMMIT AND CHAIN", false)]
    [TestCase("END TRANSACTION AND CHAIN", false)]
    public void Begin_and_commit_are_plain_without_modes_or_chaining(string sql, bool plain)
    {
        Single(sql).IsPlainTransactionControl.Should().Be(plain);
    }

    [TestCase("CREATE INDEX CONCURRENTLY i ON t (x)", "CREATE INDEX CONCURRENTLY")]
    [TestCase("create index concurrently on t (x)", "CREATE INDEX CONCURRENTLY")]
    [TestCase("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (x)", "CREATE INDEX CONCURRENTLY")]
    [TestCase("CREATE UNIQUE INDEX CONCURRENTLY i ON t (x)", "CREATE UNIQUE INDEX CONCURRENTLY")]
    [TestCase("CREATE /* x */ INDEX -- y\n CONCURRENTLY i ON t (x)", "CREATE INDEX CONCURRENTLY")]
    [TestCase("DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY")]
    [TestCase("DROP INDEX CONCURRENTLY IF EXISTS i", "DROP INDEX CONCURRENTLY")]
    [TestCase("REINDEX INDEX CONCURRENTLY i", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX TABLE CONCURRENTLY t", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX (VERBOSE) INDEX CONCURRENTLY x", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX (CONCURRENTLY) TABLE t", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX (CONCURRENTLY true) TABLE t", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX (VERBOSE, CONCURRENTLY ON) TABLE t", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX (TABLESPACE ts, CONCURRENTLY) SCHEMA s", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX DATABASE CONCURRENTLY d", "REINDEX CONCURRENTLY")]
    [TestCase("REINDEX DATABASE d", "REINDEX DATABASE")]
    [TestCase("REINDEX (VERBOSE) DATABASE d", "REINDEX DATABASE")]
    [TestCase("REINDEX SYSTEM", "REINDEX SYSTEM")]
    [TestCase("reindex system d", "REINDEX SYSTEM")]
    [TestCase("REINDEX SCHEMA s", "REINDEX SCHEMA")]
    [TestCase("VACUUM", "VACUUM")]
    [TestCase("VACUUM FULL t", "VACUUM")]
    [TestCase("vacuum (analyze, verbose) t", "VACUUM")]
    [TestCase("CREATE DATABASE d", "CREATE DATABASE")]
    [TestCase("DROP DATABASE IF EXISTS d", "DROP DATABASE")]
    [TestCase("CREATE TABLESPACE ts LOCATION '/data'", "CREATE TABLESPACE")]
    [TestCase("DROP TABLESPACE ts", "DROP TABLESPACE")]
    [TestCase("ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM")]
    [TestCase("CLUSTER", "CLUSTER without a table")]
    [TestCase("CLUSTER VERBOSE", "CLUSTER without a table")]
    [TestCase("CLUSTER (VERBOSE)", "CLUSTER without a table")]
    [TestCase("CLUSTER (VERBOSE true)", "CLUSTER without a table")]
    [TestCase("ALTER TABLE p DETACH PARTITION c CONCURRENTLY", "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")]
    [TestCase("ALTER TABLE IF EXISTS ONLY s.p DETACH PARTITION \"s\".\"c\" CONCURRENTLY", "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")]
    [TestCase("ALTER TABLE detach DETACH PARTITION partition CONCURRENTLY", "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")]
    [TestCase("CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", "CREATE SUBSCRIPTION")]
    [TestCase("DROP SUBSCRIPTION IF EXISTS s", "DROP SUBSCRIPTION")]
    [TestCase("ALTER DATABASE d SET TABLESPACE ts", "ALTER DATABASE ... SET TABLESPACE")]
    [TestCase("alter database \"d\" set tablespace ts", "ALTER DATABASE ... SET TABLESPACE")]
    [TestCase("DISCARD ALL", "DISCARD ALL")]
    public void Statements_postgresql_refuses_in_a_transaction_block_carry_a_reason(string sql, string reason)
    {
        SqlStatement statement = Single(sql);

        statement.NonTransactionalReason.Should().Be(reason);
        statement.Kind.Should().Be(SqlStatementKind.Other);
    }

    [TestCase("CREATE INDEX concurrently_idx ON t (x)")]
    [TestCase("CREATE INDEX \"concurrently\" ON t (x)")]
    [TestCase("CREATE INDEX i ON t (x) /* CONCURRENTLY */")]
    [TestCase("CREATE INDEX i ON t ((x || 'CONCURRENTLY'))")]
    [TestCase("CREATE INDEX i ON t (concurrently)")]
    [TestCase("CREATE UNIQUE INDEX i ON t (x)")]
    [TestCase("CREATE TABLE concurrently (x int)")]
    [TestCase("DROP INDEX i")]
    [TestCase("DROP INDEX concurrently_idx")]
    [TestCase("DROP TABLE database")]
    [TestCase("REINDEX TABLE t")]
    [TestCase("REINDEX INDEX i")]
    [TestCase("REINDEX (VERBOSE) TABLE t")]
    [TestCase("REINDEX (CONCURRENTLY false) TABLE t")]
    [TestCase("REINDEX (CONCURRENTLY off, VERBOSE) TABLE t")]
    [TestCase("REINDEX (CONCURRENTLY 0) TABLE t")]
    [TestCase("REINDEX (CONCURRENTLY 'false') TABLE t")]
    [TestCase("REINDEX TABLE \"database\"")]
    [TestCase("REINDEX TABLE \"concurrently\"")]
    [TestCase("ANALYZE t")]
    [TestCase("SELECT 'VACUUM'")]
    [TestCase("-- VACUUM\nSELECT 1")]
    [TestCase("\"vacuum\"")]
    [TestCase("vacuumdb")]
    [TestCase("ALTER TABLESPACE ts RENAME TO u")]
    [TestCase("ALTER DATABASE d SET search_path TO a, b")]
    [TestCase("ALTER DATABASE d RENAME TO e")]
    [TestCase("ALTER DATABASE d SET \"tablespace\" TO x")]
    [TestCase("CLUSTER t")]
    [TestCase("CLUSTER t USING i")]
    [TestCase("CLUSTER VERBOSE t")]
    [TestCase("CLUSTER (VERBOSE) t USING i")]
    [TestCase("ALTER TABLE p DETACH PARTITION c")]
    [TestCase("ALTER TABLE p DETACH PARTITION c FINALIZE")]
    [TestCase("ALTER TABLE t ADD COLUMN c int")]
    [TestCase("ALTER TABLE t ADD CONSTRAINT c CHECK (x <> 'DETACH PARTITION CONCURRENTLY')")]
    [TestCase("ALTER TABLE t ADD CONSTRAINT c CHECK (detach (partition) concurrently)")]
    [TestCase("ALTER INDEX i ATTACH PARTITION j")]
    [TestCase("ALTER SUBSCRIPTION s DISABLE")]
    [TestCase("DISCARD PLANS")]
    [TestCase("COMMENT ON DATABASE d IS 'VACUUM; DROP DATABASE d'")]
    [TestCase("CREATE FUNCTION vacuum() RETURNS int LANGUAGE sql RETURN 1")]
    [TestCase("BEGIN")]
    public void Ordinary_statements_carry_no_reason(string sql)
    {
        Single(sql).NonTransactionalReason.Should().BeNull();
    }
}
