using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Analysis;

/// <summary>One variant's final metric, one value per seed, from its finished runs.</summary>
/// <param name="Label">The variant.</param>
/// <param name="Values">Seed to metric value.</param>
public sealed record SeedSample(string Label, IReadOnlyDictionary<long, double> Values)
{
    /// <summary>How many seeds have a value.</summary>
    public int Count => Values.Count;

    /// <summary>The mean over seeds (NaN when empty).</summary>
    public double Mean => Values.Count == 0 ? double.NaN : Values.Values.Average();

    /// <summary>The sample standard deviation over seeds, or null with fewer than 2.</summary>
    public double? StandardDeviation => Statistics.StandardDeviation(Values.Values.ToList());

    /// <summary>
    /// The sample of <paramref name="label"/> among <paramref name="runs"/>: its finished runs that have
    /// <paramref name="metric"/>. Diverged, failed and pruned runs are left out (they are reported on their own).
    /// </summary>
    public static SeedSample Of(string label, IEnumerable<RunRecord> runs, string metric) => new(label,
        runs.Where(r => r.Label == label && r.State == RunState.Finished && r.Metric(metric) is not null)
            .GroupBy(r => r.Seed)
            .ToDictionary(g => g.Key, g => g.First().Metric(metric)!.Value));
}
