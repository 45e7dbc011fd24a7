using System.Globalization;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Analysis;

/// <summary>
/// Which knobs matter, by main effects: for each knob the study varied, the runs are grouped by the knob's value and
/// η² = Σ nₗ(ȳₗ − ȳ)² / Σ (yᵢ − ȳ)² is the share of the objective's variance over finished runs that the group means
/// explain. Runs that leave a knob at the baseline's value form the level <c>baseline</c>. The seed is listed too, as
/// the yardstick: a knob that explains no more than the seed does is noise. Main effects only: interactions between
/// knobs are not separated, and in an unbalanced design knobs share credit.
/// </summary>
public static class ParameterImportance
{
    /// <summary>The level name of runs that keep a knob at the baseline's value.</summary>
    public const string BaselineLevel = "baseline";

    /// <summary>The pseudo-knob of seed replicates.</summary>
    public const string SeedKnob = "seed";

    /// <summary>Importance of every knob among <paramref name="runs"/> on <paramref name="metric"/>, most important first.</summary>
    public static IReadOnlyList<KnobImportance> Of(IReadOnlyList<RunRecord> runs, string metric)
    {
        var measured = runs.Where(r => r.State == RunState.Finished && r.Metric(metric) is not null).ToList();
        if (measured.Count < 2)
            return [];
        var knobs = measured.SelectMany(r => r.Knobs.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var result = knobs.Select(k => Importance(k, measured, metric, r => r.Knobs.GetValueOrDefault(k, BaselineLevel))).ToList();
        result.Add(Importance(SeedKnob, measured, metric, r => r.Seed.ToString(CultureInfo.InvariantCulture)));
        return result.OrderByDescending(k => k.EtaSquared).ThenBy(k => k.Knob, StringComparer.Ordinal).ToList();
    }

    private static KnobImportance Importance(string knob, List<RunRecord> runs, string metric, Func<RunRecord, string> level)
    {
        var y = runs.Select(r => r.Metric(metric)!.Value).ToList();
        var grand = y.Average();
        var total = y.Sum(v => (v - grand) * (v - grand));
        var groups = runs.GroupBy(level).ToDictionary(g => g.Key, g => g.Select(r => r.Metric(metric)!.Value).ToList());
        var between = groups.Values.Sum(g => g.Count * Math.Pow(g.Average() - grand, 2));
        var means = groups.ToDictionary(g => g.Key, g => g.Value.Average());
        return new KnobImportance(knob, total > 0 ? between / total : 0, means, means.MinBy(m => m.Value).Key);
    }
}
