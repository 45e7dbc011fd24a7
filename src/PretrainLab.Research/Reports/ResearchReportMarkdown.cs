using System.Globalization;
using System.Text;
using PretrainLab.Lab.Analysis;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Reports;

/// <summary>Writes a <see cref="ResearchReport"/> as Markdown for people.</summary>
public static class ResearchReportMarkdown
{
    private const int CurvePoints = 12;

    /// <summary>The report as a Markdown document.</summary>
    public static string Write(ResearchReport r)
    {
        var md = new StringBuilder();
        Line(md, $"# Research `{r.Study}`");
        Line(md);
        Line(md, $"- Objective: **{r.Objective}** on the validation split, lower is better.");
        Line(md, $"- Runs: {string.Join(", ", r.Runs.Select(kv => $"{kv.Value} {kv.Key}"))}; {r.Variants} variants; budget spent: {r.Budget}.");
        Line(md, r.NoiseFloor.Sigma is { } sigma
            ? Invariant($"- Noise floor: the baseline over {r.NoiseFloor.Seeds} seeds, {r.Objective} {r.NoiseFloor.Mean:F4}, σ = {sigma:F4}; an effect counts when its 95 % interval excludes 0 and it exceeds 2σ = {2 * sigma:F4}.")
            : $"- Noise floor: not measured ({r.NoiseFloor.Seeds} baseline seeds finished); no effect can be called an improvement.");
        if (r.LlmUsage.TotalTokens > 0)
            Line(md, Invariant($"- LLM researcher: {r.LlmUsage.InputTokens:N0} input and {r.LlmUsage.OutputTokens:N0} output tokens, ${r.LlmUsage.CostUsd:F2}."));
        Line(md);

        Line(md, "## Incumbent");
        Line(md);
        if (r.Validation is { } v)
        {
            Line(md, $"`{r.Incumbent}`: {Changes(r.IncumbentChanges)}.");
            Line(md);
            Line(md, "| split | baseline | incumbent | effect [95 % CI] | verdict |");
            Line(md, "|---|---|---|---|---|");
            Line(md, $"| validation ({v.Metric}) | {Format(v.BaselineMean)} ({v.BaselineCount} seeds) | {Format(v.VariantMean)} ({v.VariantCount} seeds) | {Effect(v)} | {v.Verdict} |");
            if (r.Test is { } t)
                Line(md, $"| test ({t.Metric}), reported only | {Format(t.BaselineMean)} | {Format(t.VariantMean)} | {Effect(t)} | {t.Verdict} |");
            else if (r.BaselineTest is not null || r.IncumbentTest is not null)
                Line(md, $"| test, reported only | {Format(r.BaselineTest)} | {Format(r.IncumbentTest)} | | |");
        }
        else
        {
            Line(md, "The baseline: no experiment was confirmed better." + (r.BaselineTest is { } bt ? Invariant($" Its test score: {bt:F4}.") : ""));
        }
        if (r.Leader is { } leader)
        {
            Line(md);
            Line(md, $"The best variant by mean, not an incumbent because it is not confirmed beyond the noise floor: {leader}.");
        }
        if (r.IncumbentRecipe is { } recipe && r.Validation is not null)
        {
            Line(md);
            Line(md, "<details><summary>Incumbent recipe</summary>");
            Line(md);
            Line(md, "```json");
            Line(md, recipe);
            Line(md, "```");
            Line(md);
            Line(md, "</details>");
        }
        Line(md);

        Line(md, "## Findings");
        Line(md);
        if (r.Findings.Count == 0)
            Line(md, "None recorded.");
        foreach (var f in r.Findings)
        {
            var effect = f.Effect is { } e ? $" — `{e.Variant}` vs `{e.Baseline}`: {e.Metric} {Effect(e)}, {e.Verdict} ({e.VariantCount} vs {e.BaselineCount} seeds{(e.Paired ? ", paired" : "")})" : "";
            Line(md, $"- {f.Statement}{effect}");
        }
        Line(md);

        Line(md, $"## Leaderboard ({r.Objective}, best {r.Leaderboard.Count} of {r.Variants})");
        Line(md);
        Line(md, "| variant | changes | seeds | mean | effect vs baseline [95 % CI] | verdict |");
        Line(md, "|---|---|---|---|---|---|");
        foreach (var x in r.Leaderboard)
        {
            var lost = x.Lost > 0 ? $" (+{x.Lost} lost)" : "";
            Line(md, $"| `{x.Label}` | {Changes(x.Knobs)} | {x.Sample.Count}{lost} | {Format(x.Mean)} | {(x.VersusBaseline is { } e ? Effect(e) : "baseline")} | {x.VersusBaseline?.Verdict} |");
        }
        Line(md);

        if (r.ComputeCurve.Count > 0)
        {
            Line(md, "## Best so far against compute");
            Line(md);
            Line(md, "| runs ended | training FLOPs | worker seconds | best | variant |");
            Line(md, "|---|---|---|---|---|");
            var step = Math.Max(1, (int)Math.Ceiling(r.ComputeCurve.Count / (double)CurvePoints));
            for (var i = 0; i < r.ComputeCurve.Count; i++)
            {
                if (i % step != 0 && i != r.ComputeCurve.Count - 1)
                    continue;
                var p = r.ComputeCurve[i];
                Line(md, Invariant($"| {i + 1} | {p.Flops:0.00e+0} | {p.WallSeconds:F0} | {Format(p.Best)} | {(p.BestLabel is null ? "" : $"`{p.BestLabel}`")} |"));
            }
            Line(md);
        }
        return md.ToString();
    }

    private static string Changes(IReadOnlyDictionary<string, string> knobs) =>
        knobs.Count == 0 ? "—" : string.Join(", ", knobs.Select(k => $"`{k.Key}={k.Value}`"));

    private static string Effect(Effect e) => e.Difference is { } d
        ? Invariant($"{d:+0.0000;-0.0000}") + (e.Low is { } lo && e.High is { } hi ? Invariant($" [{lo:+0.0000;-0.0000}, {hi:+0.0000;-0.0000}]") : "")
        : "—";

    private static string Format(double? x) => x is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "—";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
