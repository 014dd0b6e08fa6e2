using MigrationKit.Linting;

namespace MigrationKit.Tests.Linting;

[Parallelizable(ParallelScope.All)]
public sealed class LintFuzzTests
{
    private const int CasesPerSeed = 2500;

    private static readonly string[] Corpus =
    [
        .. Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Planner"), "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText),
        .. LintRuleCase.All.SelectMany(c => c.Failing.Concat(c.Safe)),
        LintFolder.Tables,
    ];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(20261205)]
    public void Linting_random_and_mutated_folders_never_throws(int seed)
    {
        var generator = new LintScriptGenerator(seed, Corpus);
        var random = new Random(seed);
        MigrationLinter[] linters = [new(), new(new MigrationLintOptions { ServerVersion = 10 }), new(new MigrationLintOptions { ServerVersion = 12 })];
        int findings = 0;
        for (int i = 0; i < CasesPerSeed; i++)
        {
            string[] scripts = generator.Folder();
            Migration[] folder = LintFolder.Folder(scripts);
            MigrationLinter linter = linters[i % linters.Length];
            LintReport report;
            try
            {
                report = i % 4 == 3
                    ? linter.LintPending(folder, folder.Where(_ => random.Next(2) == 0).Select(m => m.Version))
                    : linter.Lint(folder);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, case {i}: {ex}\n{string.Join("\n---\n", scripts)}");
                throw;
            }

            foreach (LintFinding finding in report.Findings)
            {
                finding.Line.Should().BePositive();
                finding.Column.Should().BePositive();
                LintRuleIds.All.Should().Contain(finding.RuleId);
                finding.Message.Should().NotBeNullOrEmpty();
            }

            findings += report.Findings.Count;
        }

        findings.Should().BePositive("the mutated scripts still break rules, so the rules really ran");
    }

    [Test]
    public void Linting_pathological_scripts_never_throws()
    {
        string[] scripts =
        [
            string.Empty,
            "ALTER",
            "ALTER TABLE",
            "ALTER TABLE t",
            "ALTER TABLE t ADD",
            "ALTER TABLE t ADD CONSTRAINT",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (",
            "ALTER TABLE t ALTER COLUMN c TYPE",
            "ALTER TABLE t RENAME",
            "ALTER TABLE t RENAME COLUMN a TO",
            "ALTER TABLE \"unterminated",
            "CREATE INDEX ON",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS",
            "DROP INDEX ,,,",
            "DROP TABLE a, , b",
            "UPDATE",
            "WITH x AS (",
            "DELETE FROM ONLY",
            "REINDEX (",
            "CREATE TABLE t (" + new string('(', 10_000),
            "ALTER TABLE t " + string.Join(", ", Enumerable.Repeat("ADD COLUMN c int DEFAULT random()", 2_000)),
            "CREATE TABLE t (a int CHECK ((((a IS NOT NULL)))))",
            "ALTER TABLE t ADD CONSTRAINT c CHECK ((a IS NOT NULL)",
            "a.b.c.d.e.f",
            "-- migrationkit:allow , , reason\nSELECT 1",
            "-- migrationkit:",
            "--migrationkit:phase",
        ];

        foreach (string script in scripts)
        {
            Action lint = () => LintFolder.Lint(LintFolder.Tables, script, script);
            lint.Should().NotThrow(script.Length > 80 ? script[..80] : script);
        }
    }

    [Test]
    public void Linting_a_hundred_thousand_statements_works()
    {
        var seed = new System.Text.StringBuilder();
        for (int i = 0; i < 100_000; i++)
        {
            seed.Append("INSERT INTO rows (id, note) VALUES (").Append(i).Append(", 'row; ").Append(i).Append("');\n");
        }

        seed.Append("UPDATE rows SET note = upper(note);\n");

        LintReport report = LintFolder.Lint("CREATE TABLE rows (id bigint PRIMARY KEY, note text);", seed.ToString());

        report.StatementCount.Should().Be(1 + 100_001);
        report.Rules().Should().Equal("unbounded-data-change");
        report.Findings[0].Line.Should().Be(100_001);
    }
}
