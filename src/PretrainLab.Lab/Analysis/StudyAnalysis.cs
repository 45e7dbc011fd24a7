using System.Globalization;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace PretrainLab.Lab.Analysis;

/// <summary>Builds a study's report from the store: noise floor, leaderboard with effects, importance, compute curve.</summary>
public static class StudyAnalysis
{
    /// <summary>The test metric that goes with a validation objective (<c>val_bpb</c> → <c>test_bpb</c>).</summary>
    public static string TestMetricOf(string objective) => objective.Replace("val_", "test_", StringComparison.Ordinal);

    /// <summary>The noise floor of <paramref name="baseline"/> among <paramref name="runs"/>.</summary>
    public static NoiseFloor NoiseFloorOf(IReadOnlyList<RunRecord> runs, string baseline, string metric)
    {
        var sample = SeedSample.Of(baseline, runs, metric);
        return new NoiseFloor(baseline, sample.Count, sample.Count > 0 ? sample.Mean : null, sample.StandardDeviation);
    }

    /// <summary>The report of <paramref name="study"/>.</summary>
    public static StudyReport Report(ILabStore store, StudyRecord study)
    {
        var spec = StudySpec.FromJson(study.Definition);
        var runs = store.ListRuns(new RunQuery { StudyId = study.Id });
        var objective = spec.Objective;
        var testMetric = TestMetricOf(objective);
        var noise = NoiseFloorOf(runs, spec.Baseline, objective);
        var baselineSample = SeedSample.Of(spec.Baseline, runs, objective);
        var labels = runs.Select(r => r.Label).Distinct().ToList();

        var entries = labels.Select(label =>
        {
            var mine = runs.Where(r => r.Label == label).ToList();
            var sample = SeedSample.Of(label, runs, objective);
            var test = SeedSample.Of(label, runs, testMetric);
            return new LeaderboardEntry
            {
                Label = label,
                Knobs = mine[0].Knobs,
                Finished = sample.Count,
                Diverged = mine.Count(r => r.State == RunState.Diverged),
                Failed = mine.Count(r => r.State == RunState.Failed),
                Pruned = mine.Count(r => r.State == RunState.Pruned),
                Pending = mine.Count(r => !r.State.IsFinal()),
                Mean = sample.Count > 0 ? sample.Mean : null,
                StandardDeviation = sample.StandardDeviation,
                HalfWidth = sample.StandardDeviation is { } sd ? StudentT.Quantile(0.975, sample.Count - 1) * sd / Math.Sqrt(sample.Count) : null,
                TestMean = test.Count > 0 ? test.Mean : null,
                Effect = label == spec.Baseline ? null : EffectEstimator.Compare(baselineSample, sample, objective, noise.Sigma),
            };
        })
        .OrderBy(e => e.Mean ?? double.PositiveInfinity)
        .ThenBy(e => e.Label, StringComparer.Ordinal)
        .Select((e, i) => e with { Rank = i + 1 })
        .ToList();

        var testBaseline = SeedSample.Of(spec.Baseline, runs, testMetric);
        var testNoise = testBaseline.StandardDeviation;
        var testEffects = testBaseline.Count == 0
            ? []
            : labels.Where(l => l != spec.Baseline)
                .Select(l => EffectEstimator.Compare(testBaseline, SeedSample.Of(l, runs, testMetric), testMetric, testNoise))
                .Where(e => e.VariantCount > 0)
                .ToList();

        return new StudyReport
        {
            Study = study.Name,
            Objective = objective,
            TestMetric = testMetric,
            Baseline = spec.Baseline,
            Seeds = spec.Seeds,
            Runs = runs.GroupBy(r => r.State).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToName(), g => g.Count()),
            TotalFlops = runs.Sum(r => r.Flops ?? 0),
            TotalWallSeconds = Math.Round(runs.Sum(r => r.WallSeconds ?? 0), 3),
            NoiseFloor = noise,
            Leaderboard = entries,
            TestEffects = testEffects,
            Importance = ParameterImportance.Of(runs, objective),
            ComputeCurve = ComputeCurve(runs, objective),
            Incidents = runs.Where(r => r.State is RunState.Diverged or RunState.Failed).Select(RunIncident.Of).ToList(),
            Journal = store.GetJournal(study.Id)
                .Select(e => $"{e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z {e.Text}")
                .ToList(),
        };
    }

    /// <summary>
    /// Best objective of a finished run so far against the compute spent by every run that had ended, in the order
    /// runs ended. A pruned run's compute counts, its metric does not: it was measured on a smaller budget.
    /// </summary>
    public static IReadOnlyList<ComputePoint> ComputeCurve(IReadOnlyList<RunRecord> runs, string metric)
    {
        double flops = 0, wall = 0;
        double? best = null;
        string? bestLabel = null;
        var points = new List<ComputePoint>();
        foreach (var run in runs.Where(r => r.State.IsFinal() && r.FinishedAt is not null).OrderBy(r => r.FinishedAt).ThenBy(r => r.Id))
        {
            flops += run.Flops ?? 0;
            wall += run.WallSeconds ?? 0;
            if (run.State == RunState.Finished && run.Metric(metric) is { } value && (best is null || value < best))
                (best, bestLabel) = (value, run.Label);
            points.Add(new ComputePoint(run.Id, flops, Math.Round(wall, 3), best, bestLabel));
        }
        return points;
    }
}
