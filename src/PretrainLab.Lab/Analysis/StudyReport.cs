using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Analysis;

/// <summary>Everything <c>plab study report</c> says about a study; serialised as is for <c>--json</c>.</summary>
public sealed record StudyReport
{
    /// <summary>The study's name.</summary>
    [JsonPropertyName("study")] public required string Study { get; init; }

    /// <summary>The validation metric that decides (lower is better).</summary>
    [JsonPropertyName("objective")] public required string Objective { get; init; }

    /// <summary>The test metric reported beside it, never used for decisions.</summary>
    [JsonPropertyName("test_metric")] public required string TestMetric { get; init; }

    /// <summary>The baseline variant.</summary>
    [JsonPropertyName("baseline")] public required string Baseline { get; init; }

    /// <summary>The seeds each variant is trained with.</summary>
    [JsonPropertyName("seeds")] public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>How many runs are in each state.</summary>
    [JsonPropertyName("runs")] public required IReadOnlyDictionary<string, int> Runs { get; init; }

    /// <summary>Training FLOPs of all runs.</summary>
    [JsonPropertyName("total_flops")] public double TotalFlops { get; init; }

    /// <summary>Worker wall seconds of all runs.</summary>
    [JsonPropertyName("total_wall_seconds")] public double TotalWallSeconds { get; init; }

    /// <summary>The baseline's seed-to-seed spread.</summary>
    [JsonPropertyName("noise_floor")] public required NoiseFloor NoiseFloor { get; init; }

    /// <summary>Variants by mean objective, with effects against the baseline.</summary>
    [JsonPropertyName("leaderboard")] public required IReadOnlyList<LeaderboardEntry> Leaderboard { get; init; }

    /// <summary>Effects on the test split, reported only; empty without test data.</summary>
    [JsonPropertyName("test_effects")] public required IReadOnlyList<Effect> TestEffects { get; init; }

    /// <summary>Knobs by the share of the objective's variance they explain.</summary>
    [JsonPropertyName("importance")] public required IReadOnlyList<KnobImportance> Importance { get; init; }

    /// <summary>Best objective so far against compute spent.</summary>
    [JsonPropertyName("compute_curve")] public required IReadOnlyList<ComputePoint> ComputeCurve { get; init; }

    /// <summary>Runs that diverged or failed, with why.</summary>
    [JsonPropertyName("incidents")] public required IReadOnlyList<RunIncident> Incidents { get; init; }

    /// <summary>The study's journal.</summary>
    [JsonPropertyName("journal")] public required IReadOnlyList<string> Journal { get; init; }
}
