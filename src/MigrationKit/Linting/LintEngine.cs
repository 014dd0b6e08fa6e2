using MigrationKit.Sql;

namespace MigrationKit.Linting;

/// <summary>
/// One lint run over migrations in version order: builds the schema model from every migration, and for the ones
/// being linted applies the rules, the suppressions and the severities.
/// </summary>
internal static class LintEngine
{
    /// <summary>Lints <paramref name="migrations"/>.</summary>
    /// <param name="migrations">Every migration of the source, in any order.</param>
    /// <param name="pending">
    /// The versions a run is about to apply (the run view: only they are linted, and a table one of them creates is
    /// new for the ones after it); <see langword="null"/> for the folder view: every migration is linted as if the
    /// ones before it were live.
    /// </param>
    /// <param name="options">Severities.</param>
    /// <param name="serverVersion">The PostgreSQL major version the rules follow.</param>
    /// <returns>The report.</returns>
    public static LintReport Run(IEnumerable<Migration> migrations, IReadOnlySet<long>? pending, MigrationLintOptions options, int serverVersion)
    {
        Migration[] ordered = [.. migrations.OrderBy(m => m.Version)];
        bool runView = pending is not null;
        bool usesPhases = ordered.Any(m => m.Phase == MigrationPhase.Post);
        var model = new SchemaModel();
        var findings = new List<LintFinding>();
        int migrationCount = 0;
        int statementCount = 0;
        var raw = new List<RawFinding>();
        foreach (Migration migration in ordered)
        {
            bool linted = pending is null || pending.Contains(migration.Version);
            SqlScript script = migration.Up.Parsed;
            raw.Clear();
            var analyzer = new MigrationAnalyzer(model, migration, serverVersion, runView, linted, raw);
            List<SqlToken> directives = ScriptTokens.Walk(script, analyzer.Analyze);
            if (!linted)
            {
                continue;
            }

            migrationCount++;
            statementCount += script.Statements.Count;
            var ignored = new List<RawFinding>();
            List<Suppression> suppressions = Suppression.Read(script, directives, ignored);
            var kept = new List<RawFinding>(raw.Count + ignored.Count + suppressions.Count);
            foreach (RawFinding finding in raw)
            {
                Suppression? by = suppressions.FirstOrDefault(s => s.Covers(finding) && s.RuleIds.Contains(finding.RuleId, StringComparer.OrdinalIgnoreCase));
                if (by is null)
                {
                    kept.Add(finding);
                }
                else
                {
                    by.Used.Add(finding.RuleId);
                }
            }

            kept.AddRange(ignored);
            foreach (Suppression suppression in suppressions)
            {
                ReportSuppression(suppression, kept);
            }

            kept.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            foreach (RawFinding finding in kept)
            {
                LintSeverity severity = Severity(finding.RuleId, migration, usesPhases, options, out bool escalated);
                if (severity == LintSeverity.Off)
                {
                    continue;
                }

                SqlPosition position = script.GetPosition(Math.Clamp(finding.Offset, 0, script.Text.Length));
                string message = escalated
                    ? finding.Message + " This folder uses deploy phases, so outside a post migration (-- migrationkit:phase post) this is an error."
                    : finding.Message;
                LintRule rule = LintRule.Find(finding.RuleId)!;
                findings.Add(new LintFinding(
                    rule.Id,
                    severity,
                    migration.Version,
                    migration.Up.Origin,
                    position.Line,
                    position.Column,
                    finding.Lock,
                    finding.Blocks,
                    message,
                    rule.Recipe,
                    finding.Table));
            }
        }

        return new LintReport(findings, serverVersion, migrationCount, statementCount);
    }

    private static void ReportSuppression(Suppression suppression, List<RawFinding> findings)
    {
        int statement = Math.Max(suppression.StatementIndex, 0);
        string allow = "-- migrationkit:allow " + string.Join(',', suppression.RuleIds);
        if (suppression.Reason.Length == 0)
        {
            findings.Add(new RawFinding(
                LintRuleIds.SuppressionMissingReason,
                statement,
                suppression.Offset,
                null,
                BlockedOperations.None,
                $"{allow} gives no reason: say after the rule id why the finding is safe here, for the next reader.",
                null));
        }

        foreach (string id in suppression.RuleIds)
        {
            if (suppression.Used.Contains(id))
            {
                continue;
            }

            string where = suppression.StatementIndex switch
            {
                Suppression.WholeFile => "in this file",
                Suppression.Nothing => "here: no statement follows it",
                _ => "on the statement below it",
            };
            string message = LintRule.Find(id) is null
                ? $"-- migrationkit:allow {id}: there is no lint rule {id}, so it suppresses nothing. The rules are {string.Join(", ", LintRuleIds.All)}."
                : $"-- migrationkit:allow {id} suppresses nothing: {id} found nothing {where}.";
            findings.Add(new RawFinding(LintRuleIds.SuppressionUnused, statement, suppression.Offset, null, BlockedOperations.None, message, null));
        }
    }

    private static LintSeverity Severity(string ruleId, Migration migration, bool usesPhases, MigrationLintOptions options, out bool escalated)
    {
        escalated = false;
        if (options.Rules.TryGetValue(ruleId, out LintSeverity configured))
        {
            return configured;
        }

        if (usesPhases && migration.Phase != MigrationPhase.Post && ruleId is LintRuleIds.BreakingDrop or LintRuleIds.BreakingRename)
        {
            escalated = true;
            return LintSeverity.Error;
        }

        return LintSeverity.Warning;
    }
}
