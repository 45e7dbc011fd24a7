using System.Globalization;
using System.Text;

namespace PretrainLab.Lab.Analysis;

/// <summary>Writes a <see cref="StudyReport"/> as Markdown for people.</summary>
public static class StudyReportMarkdown
{
    private const int JournalLines = 40;

    /// <summary>The report as a Markdown document.</summary>
    public static string Write(StudyReport r)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Study `{r.Study}`").Append('\n');
        Line(md);
        md.Append(CultureInfo.InvariantCulture, $"- Objective: **{r.Objective}** on the validation split, lower is better; baseline `{r.Baseline}`; seeds {string.Join(", ", r.Seeds)}.").Append('\n');
        md.Append(CultureInfo.InvariantCulture, $"- Runs: {string.Join(", ", r.Runs.Select(kv => $"{kv.Value} {kv.Key}"))}.").Append('\n');
        md.Append(CultureInfo.InvariantCulture, $"- Compute: {r.TotalFlops:E3} training FLOPs, {r.TotalWallSeconds:F1} s of worker wall time.").Append('\n');
        Line(md);

        Line(md, "## Noise floor");
        Line(md);
        var n = r.NoiseFloor;
        Line(md, n.Sigma is { } sigma
            ? string.Create(CultureInfo.InvariantCulture, $"The baseline over {n.Seeds} seeds: {r.Objective} {n.Mean:F4}, seed-to-seed σ = {sigma:F4}. An effect clears the noise floor when its 95 % interval excludes 0 **and** it is larger than 2σ = {2 * sigma:F4}.")
            : string.Create(CultureInfo.InvariantCulture, $"The baseline has {n.Seeds} finished seed(s): at least 2 are needed to measure the noise floor, so no effect can be called an improvement yet."));
        Line(md);

        md.Append(CultureInfo.InvariantCulture, $"## Leaderboard ({r.Objective})").Append('\n');
        Line(md);
        Line(md, "| # | variant | changes | seeds | mean ± 95 % CI | σ | effect vs baseline [95 % CI] | verdict |");
        Line(md, "|---|---|---|---|---|---|---|---|");
        foreach (var e in r.Leaderboard)
        {
            var changes = e.Knobs.Count == 0 ? "—" : string.Join(", ", e.Knobs.Select(k => $"`{k.Key}={k.Value}`"));
            var seeds = $"{e.Finished}" + Notes(e);
            var mean = e.Mean is { } m ? Format(m) + (e.HalfWidth is { } h ? " ± " + Format(h) : "") : "—";
            var effect = e.Effect is { Difference: { } d } x
                ? Signed(d) + (x.Low is { } lo && x.High is { } hi ? $" [{Signed(lo)}, {Signed(hi)}]" : "") + (x.Paired ? " paired" : "")
                : e.Label == r.Baseline ? "baseline" : "—";
            var verdict = e.Effect?.Verdict ?? "";
            md.Append(CultureInfo.InvariantCulture, $"| {e.Rank} | `{e.Label}` | {changes} | {seeds} | {mean} | {Format(e.StandardDeviation)} | {effect} | {verdict} |").Append('\n');
        }
        Line(md);

        if (r.TestEffects.Count > 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"## Test split ({r.TestMetric}; reported only, never used for decisions)").Append('\n');
            Line(md);
            Line(md, "| variant | baseline mean | variant mean | effect [95 % CI] | verdict |");
            Line(md, "|---|---|---|---|---|");
            foreach (var e in r.TestEffects)
            {
                var ci = e.Low is { } lo && e.High is { } hi ? $" [{Signed(lo)}, {Signed(hi)}]" : "";
                md.Append(CultureInfo.InvariantCulture, $"| `{e.Variant}` | {Format(e.BaselineMean)} | {Format(e.VariantMean)} | {Signed(e.Difference)}{ci} | {e.Verdict} |").Append('\n');
            }
            Line(md);
        }

        if (r.Importance.Count > 0)
        {
            Line(md, "## Which knobs matter");
            Line(md);
            md.Append(CultureInfo.InvariantCulture, $"Share of the variance of {r.Objective} over finished runs explained by each knob in an additive main-effects model fitted to all knobs and the seed together (level means are adjusted for the other knobs). `seed` is the yardstick: a knob that explains no more than the seed is noise.").Append('\n');
            Line(md);
            Line(md, "| knob | η² | best level | level means |");
            Line(md, "|---|---|---|---|");
            foreach (var k in r.Importance)
                md.Append(CultureInfo.InvariantCulture, $"| `{k.Knob}` | {k.EtaSquared:F3} | `{k.Best}` | {string.Join(", ", k.Levels.OrderBy(l => l.Value).Select(l => $"{l.Key}: {l.Value:F4}"))} |").Append('\n');
            Line(md);
        }

        if (r.ComputeCurve.Count > 0)
        {
            Line(md, "## Best so far against compute");
            Line(md);
            Line(md, "| runs ended | FLOPs spent | wall s spent | best | variant |");
            Line(md, "|---|---|---|---|---|");
            var curve = r.ComputeCurve;
            for (var i = 0; i < curve.Count; i++)
            {
                // Rows where the best changes, and the last one: the shape without a row per run.
                if (i != curve.Count - 1 && (i > 0 && curve[i].Best == curve[i - 1].Best))
                    continue;
                var p = curve[i];
                md.Append(CultureInfo.InvariantCulture, $"| {i + 1} | {p.Flops:E3} | {p.WallSeconds:F1} | {Format(p.Best)} | {(p.BestLabel is null ? "—" : $"`{p.BestLabel}`")} |").Append('\n');
            }
            Line(md);
        }

        if (r.Incidents.Count > 0)
        {
            Line(md, "## Diverged and failed runs");
            Line(md);
            foreach (var i in r.Incidents)
                md.Append(CultureInfo.InvariantCulture, $"- run {i.RunId} `{i.Label}` seed {i.Seed}: {i.State}: {i.Why}").Append('\n');
            Line(md);
        }

        Line(md, "## Journal");
        Line(md);
        if (r.Journal.Count > JournalLines)
            md.Append(CultureInfo.InvariantCulture, $"(the last {JournalLines} of {r.Journal.Count} entries)").Append('\n');
        foreach (var entry in r.Journal.Skip(Math.Max(0, r.Journal.Count - JournalLines)))
            md.Append(CultureInfo.InvariantCulture, $"- {entry}").Append('\n');
        return md.ToString();
    }

    private static string Notes(LeaderboardEntry e)
    {
        var notes = new List<string>();
        if (e.Diverged > 0) notes.Add($"{e.Diverged} diverged");
        if (e.Failed > 0) notes.Add($"{e.Failed} failed");
        if (e.Pruned > 0) notes.Add($"{e.Pruned} pruned");
        if (e.Pending > 0) notes.Add($"{e.Pending} pending");
        return notes.Count == 0 ? "" : $" ({string.Join(", ", notes)})";
    }

    private static string Format(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "—";

    private static string Signed(double? value) => value is { } v ? v.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture) : "—";

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
