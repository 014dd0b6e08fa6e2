using System.Diagnostics;
using System.Globalization;
using System.Text;
using MigrationKit.Linting;

namespace MigrationKit.Benchmarks;

/// <summary>
/// Lint in-process on a harbor-sized folder (40 up scripts, 400 statements, a realistic mix of DDL, data changes and
/// function bodies), side by side with its floor: only reading the scripts into <see cref="MigrationScript"/>s, which
/// lexes and splits them (lint cannot do less). Three timings alternate, so noise hits all of them: the floor; lint
/// from the text (scripts created and split, then linted); and lint of migrations already split, as a runner that
/// has validated them holds them.
/// </summary>
internal sealed class LintBenchmark
{
    public const int Files = 40;
    public const int StatementsPerFile = 10;

    private const string EmptyJson = "'{}'::jsonb";

    private readonly Samples _floor = new();
    private readonly Samples _fromText = new();
    private readonly Samples _parsed = new();
    private double _first;
    private int _findings;
    private int _statements;

    public bool HasRun => _floor.Count > 0;

    public void Run(int samples)
    {
        (string Text, string Origin)[] scripts = Folder();
        var linter = new MigrationLinter();
        Migration[] parsed = Load(scripts);
        _ = parsed.Sum(m => m.Up.RunsOutsideTransaction ? 1 : 0);
        long started = Stopwatch.GetTimestamp();
        LintReport report = linter.Lint(parsed);
        _first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _findings = report.Findings.Count;
        _statements = report.StatementCount;
        if (report.StatementCount != Files * StatementsPerFile)
        {
            throw new BenchmarkFailedException($"The harbor-sized folder has {report.StatementCount} statements where {Files * StatementsPerFile} were meant.");
        }

        BenchmarkRun.Progress($"lint: {Files} files, {report.StatementCount} statements, {report.Findings.Count} findings; {samples} samples each");
        for (int i = 0; i < samples / 5; i++)
        {
            // Warm-up: the timed code compiled and tiered up.
            _ = linter.Lint(Load(scripts));
        }

        for (int i = 0; i < samples; i++)
        {
            _floor.Add(Time(() => _ = Load(scripts).Sum(m => m.Up.RunsOutsideTransaction ? 1 : 0)));
            _fromText.Add(Time(() => _ = linter.Lint(Load(scripts))));
            _parsed.Add(Time(() => _ = linter.Lint(parsed)));
        }
    }

    public void Report(Markdown md)
    {
        md.Heading($"Lint: a harbor-sized folder ({Files} up scripts, {_statements} statements) in-process");
        md.Paragraph(
            $"A generated folder of {Files} migrations with {StatementsPerFile} statements each (tables, indexes, added columns with defaults, constraints, " +
            $"type changes, data changes, PL/pgSQL functions; {_findings} findings). The floor only reads the scripts into `MigrationScript`s and " +
            "splits them, which lint needs first; \"lint from the text\" does that and lints; \"lint, already split\" lints migrations a runner has " +
            "already read and validated. Warm process; the three alternate. " +
            $"The first lint in the process, its code compiled on the way (as at a start-up), took {Markdown.Ms(_first)} ms.");
        md.Table(["Operation", "median", "min", "max", "× floor", "µs/statement", "samples"], [
            Row("floor: create and split the scripts", _floor),
            Row("lint from the text", _fromText),
            Row("lint, already split", _parsed),
        ]);
    }

    public IEnumerable<(string Goal, string Measured, bool Met)> Goals()
    {
        yield return ($"lint of {Files} files, {_statements} statements well under 100 ms in-process (from the text, split included)",
            $"{Markdown.Ms(_fromText.Median)} ms from the text ({Markdown.Ratio(_fromText.Median / _floor.Median)} the floor), {Markdown.Ms(_parsed.Median)} ms already split, {Markdown.Ms(_first)} ms the first time in the process",
            _fromText.Median < 100);
    }

    private IReadOnlyList<string> Row(string what, Samples samples) =>
    [
        what, Markdown.Ms(samples.Median), Markdown.Ms(samples.Min), Markdown.Ms(samples.Max), Markdown.Ratio(samples.Median / _floor.Median),
        Markdown.Number(samples.Median * 1000 / _statements, "F1"), samples.Count.ToString(CultureInfo.InvariantCulture),
    ];

    private static double Time(Action action)
    {
        long started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static Migration[] Load((string Text, string Origin)[] scripts) =>
        [.. scripts.Select((s, i) => new Migration(i + 1, "m" + (i + 1).ToString(CultureInfo.InvariantCulture), new MigrationScript(s.Text, s.Origin)))];

    /// <summary>Forty up scripts of ten statements each, the kind a service accumulates over a few years.</summary>
    private static (string Text, string Origin)[] Folder()
    {
        var scripts = new (string, string)[Files];
        for (int f = 0; f < Files; f++)
        {
            string v = (f + 1).ToString("D3", CultureInfo.InvariantCulture);
            string t = "t" + (f % 8).ToString(CultureInfo.InvariantCulture);
            string n = (f + 1).ToString(CultureInfo.InvariantCulture);
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"-- Migration {v}: changes to {t} and a new table of its own.\n");
            if (f < 8)
            {
                text.Append(CultureInfo.InvariantCulture, $"""
                    CREATE TABLE {t} (
                        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        owner_id bigint,
                        name varchar(120) NOT NULL,
                        status text NOT NULL DEFAULT 'new',
                        amount numeric(12,2),
                        note text,
                        created_at timestamptz NOT NULL DEFAULT now(),
                        updated_at timestamptz NOT NULL DEFAULT now()
                    );

                    """);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"ALTER TABLE {t} ADD COLUMN c{n} text;\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"""
                CREATE TABLE x{n} (id bigint PRIMARY KEY, {t}_id bigint NOT NULL, label text, payload jsonb NOT NULL DEFAULT {EmptyJson});
                CREATE INDEX x{n}_{t}_id_idx ON x{n} ({t}_id);
                CREATE INDEX {t}_i{n}_idx ON {t} (lower(name)) WHERE status <> 'done';
                ALTER TABLE {t} ADD COLUMN flag{n} boolean NOT NULL DEFAULT false, ADD COLUMN token{n} uuid DEFAULT gen_random_uuid();
                ALTER TABLE x{n} ADD CONSTRAINT x{n}_{t}_fk FOREIGN KEY ({t}_id) REFERENCES {t} (id) NOT VALID;
                ALTER TABLE {t} ADD CONSTRAINT {t}_c{n}_check CHECK (amount >= 0) NOT VALID, ALTER COLUMN note TYPE varchar(500);
                UPDATE {t} SET status = 'active' WHERE status = 'new' AND created_at < now() - interval '30 days';
                COMMENT ON TABLE x{n} IS 'Rows of {t}; see migration {v}';
                CREATE OR REPLACE FUNCTION touch_x{n}() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    -- Keep the parent's updated_at current; a ';' in a comment or 'a string;' is not a statement end.
                    UPDATE {t} SET updated_at = now() WHERE id = NEW.{t}_id;
                    IF NEW.label IS NULL THEN
                        NEW.label := format('x{n}-%s', NEW.id);
                    END IF;
                    RETURN NEW;
                END;
                $fn$;

                """);
            scripts[f] = (text.ToString(), $"migrations/{v}_m{n}.up.sql");
        }

        return scripts;
    }
}
