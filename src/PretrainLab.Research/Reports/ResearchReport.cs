using System.Text.Json.Serialization;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Reports;

/// <summary>
/// The end of a research study: the incumbent and its recipe, its effect on validation against the baseline and, for
/// the record only, on the test split; the findings with their effects and intervals; the leaderboard; the best
/// objective against compute; and what the researcher cost.
/// </summary>
public sealed record ResearchReport
{
    private const int LeaderboardSize = 12;

    /// <summary>The study.</summary>
    [JsonPropertyName("study")] public required string Study { get; init; }

    /// <summary>The metric improved on (lower is better).</summary>
    [JsonPropertyName("objective")] public required string Objective { get; init; }

    /// <summary>Runs by state.</summary>
    [JsonPropertyName("runs")] public required IReadOnlyDictionary<string, int> Runs { get; init; }

    /// <summary>Spent against the budget.</summary>
    [JsonPropertyName("budget")] public required string Budget { get; init; }

    /// <summary>The baseline's seed spread.</summary>
    [JsonPropertyName("noise_floor")] public required NoiseFloor NoiseFloor { get; init; }

    /// <summary>The incumbent's label (the baseline when nothing beat it).</summary>
    [JsonPropertyName("incumbent")] public required string Incumbent { get; init; }

    /// <summary>What the incumbent changes from the baseline.</summary>
    [JsonPropertyName("incumbent_changes")] public required IReadOnlyDictionary<string, string> IncumbentChanges { get; init; }

    /// <summary>The incumbent's canonical recipe JSON (at its first seed).</summary>
    [JsonPropertyName("incumbent_recipe")] public string? IncumbentRecipe { get; init; }

    /// <summary>The incumbent against the baseline on validation, or null when the incumbent is the baseline.</summary>
    [JsonPropertyName("validation")] public Effect? Validation { get; init; }

    /// <summary>The incumbent against the baseline on the test split, reported only; null without test data.</summary>
    [JsonPropertyName("test")] public Effect? Test { get; init; }

    /// <summary>The baseline's mean test score, or null without test data.</summary>
    [JsonPropertyName("baseline_test")] public double? BaselineTest { get; init; }

    /// <summary>The incumbent's mean test score, or null without test data.</summary>
    [JsonPropertyName("incumbent_test")] public double? IncumbentTest { get; init; }

    /// <summary>The best variant by mean, however few its seeds, when it is not the incumbent.</summary>
    [JsonPropertyName("leader")] public string? Leader { get; init; }

    /// <summary>The findings, oldest first.</summary>
    [JsonPropertyName("findings")] public required IReadOnlyList<ReportedFinding> Findings { get; init; }

    /// <summary>The best variants by mean objective.</summary>
    [JsonPropertyName("leaderboard")] public required IReadOnlyList<VariantResult> Leaderboard { get; init; }

    /// <summary>Variants tried, the baseline included.</summary>
    [JsonPropertyName("variants")] public int Variants { get; init; }

    /// <summary>Best objective against compute.</summary>
    [JsonPropertyName("compute_curve")] public required IReadOnlyList<ComputePoint> ComputeCurve { get; init; }

    /// <summary>Tokens the LLM researcher used (input, output) and what they cost; zero for the built-in researchers.</summary>
    [JsonPropertyName("llm_usage")] public required LlmUsage LlmUsage { get; init; }

    /// <summary>Builds the report of <paramref name="study"/> from the store.</summary>
    public static ResearchReport Of(ResearchStudy study)
    {
        var state = study.State();
        var journal = study.ReadJournal();
        var incumbent = state.Incumbent;
        RunComparison? versus = incumbent.Label == ResearchStudy.BaselineLabel ? null : study.Compare(ResearchStudy.BaselineLabel, incumbent.Label);
        var testMetric = StudyAnalysis.TestMetricOf(study.Objective);
        var recipe = study.Store.GetRun(incumbent.FirstRunId)?.Recipe;
        return new ResearchReport
        {
            Study = study.Study.Name,
            Objective = study.Objective,
            Runs = state.Runs.GroupBy(r => r.State).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToName(), g => g.Count()),
            Budget = state.Budget.Describe(),
            NoiseFloor = state.NoiseFloor,
            Incumbent = incumbent.Label,
            IncumbentChanges = incumbent.Knobs,
            IncumbentRecipe = recipe is null ? null : Recipe.FromJson(recipe).ToJson(),
            Validation = versus?.Validation,
            Test = versus?.Test,
            BaselineTest = Mean(SeedSample.Of(ResearchStudy.BaselineLabel, state.Runs, testMetric)),
            IncumbentTest = Mean(SeedSample.Of(incumbent.Label, state.Runs, testMetric)),
            Leader = state.Leader is { } l && l.Label != incumbent.Label ? EffectText.Describe(l, study.Objective) : null,
            Findings = journal.Where(e => e.Kind == ResearchJournal.Finding).Select(e => Finding(study, e)).ToList(),
            Leaderboard = state.Variants.Where(v => v.Mean is not null).OrderBy(v => v.Mean).Take(LeaderboardSize).ToList(),
            Variants = state.Variants.Count,
            ComputeCurve = StudyAnalysis.ComputeCurve(state.Runs, study.Objective),
            LlmUsage = LlmUsage.FromJournal(journal),
        };
    }

    private static ReportedFinding Finding(ResearchStudy study, JournalEntry entry)
    {
        if (ResearchJournal.ParseFinding(entry.Text) is not { } finding)
            return new ReportedFinding(entry.At, entry.Text, null);
        try
        {
            return new ReportedFinding(entry.At, finding.Statement, study.Compare(finding.Versus, finding.Variant).Validation);
        }
        catch (ArgumentException)
        {
            return new ReportedFinding(entry.At, finding.Statement, null);
        }
    }

    private static double? Mean(SeedSample sample) => sample.Count > 0 ? sample.Mean : null;
}
