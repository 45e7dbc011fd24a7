using System.Globalization;
using System.Text.Json.Serialization;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace PretrainLab.Lab.Analysis;

/// <summary>
/// <c>plab runs compare A B</c>: the effect of going from A to B, where each side is a run id or a variant label and
/// stands for all seed replicates of its variant in its study. The noise floor is the study baseline's seed-to-seed
/// σ (or A's, when the baseline has fewer than two finished seeds).
/// </summary>
public sealed record RunComparison
{
    /// <summary>The study both sides belong to.</summary>
    [JsonPropertyName("study")] public required string Study { get; init; }

    /// <summary>The effect on the validation metric, which decides.</summary>
    [JsonPropertyName("validation")] public required Effect Validation { get; init; }

    /// <summary>The effect on the test split, reported only; null when there is no test data.</summary>
    [JsonPropertyName("test")] public Effect? Test { get; init; }

    /// <summary>The noise floor used.</summary>
    [JsonPropertyName("noise_floor")] public required NoiseFloor NoiseFloor { get; init; }

    /// <summary>Compares <paramref name="a"/> and <paramref name="b"/> (run ids or labels) on <paramref name="metric"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="study">The study labels are looked up in; null to use the study of a run id, or the only study.</param>
    /// <param name="a">The reference side.</param>
    /// <param name="b">The changed side.</param>
    /// <param name="metric">The validation metric; null for the study's objective.</param>
    /// <exception cref="ArgumentException">A side names no run or variant, or the sides are in different studies.</exception>
    public static RunComparison Compare(ILabStore store, StudyRecord? study, string a, string b, string? metric)
    {
        var (studyA, labelA) = Resolve(store, study, a);
        var (studyB, labelB) = Resolve(store, study ?? studyA, b);
        if (studyA.Id != studyB.Id)
            throw new ArgumentException($"{a} is in study '{studyA.Name}' and {b} in '{studyB.Name}': compare runs of one study");
        var spec = StudySpec.FromJson(studyA.Definition);
        metric ??= spec.Objective;
        // Only the three variants involved are read, however large the study.
        var runs = new[] { spec.Baseline, labelA, labelB }.Distinct()
            .SelectMany(label => store.ListRuns(new RunQuery { StudyId = studyA.Id, Label = label }))
            .ToList();
        var baselineNoise = StudyAnalysis.NoiseFloorOf(runs, spec.Baseline, metric);
        var noise = baselineNoise.Sigma is null ? StudyAnalysis.NoiseFloorOf(runs, labelA, metric) : baselineNoise;
        var testMetric = StudyAnalysis.TestMetricOf(metric);
        var testA = SeedSample.Of(labelA, runs, testMetric);
        var testB = SeedSample.Of(labelB, runs, testMetric);
        return new RunComparison
        {
            Study = studyA.Name,
            Validation = EffectEstimator.Compare(SeedSample.Of(labelA, runs, metric), SeedSample.Of(labelB, runs, metric), metric, noise.Sigma),
            Test = testMetric != metric && testA.Count > 0 && testB.Count > 0
                ? EffectEstimator.Compare(testA, testB, testMetric, StudyAnalysis.NoiseFloorOf(runs, noise.Label, testMetric).Sigma)
                : null,
            NoiseFloor = noise,
        };
    }

    private static (StudyRecord Study, string Label) Resolve(ILabStore store, StudyRecord? study, string side)
    {
        if (long.TryParse(side, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            var run = store.GetRun(id) ?? throw new ArgumentException($"no run with id {id}");
            return (store.GetStudy(run.StudyId)!, run.Label);
        }
        if (study is null)
        {
            var studies = store.ListStudies();
            if (studies.Count != 1)
                throw new ArgumentException($"'{side}' is a variant label: name its study with --study ({studies.Count} studies in the store)");
            study = studies[0];
        }
        if (store.ListRuns(new RunQuery { StudyId = study.Id, Label = side, Limit = 1 }).Count == 0)
            throw new ArgumentException($"study '{study.Name}' has no run id or variant '{side}'");
        return (study, side);
    }
}
