using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Analysis;

/// <summary>One variant on a study's leaderboard.</summary>
public sealed record LeaderboardEntry
{
    /// <summary>Rank by mean objective, 1 = best; variants without a finished run come last.</summary>
    [JsonPropertyName("rank")] public int Rank { get; init; }

    /// <summary>The variant.</summary>
    [JsonPropertyName("label")] public required string Label { get; init; }

    /// <summary>What it changes from the baseline.</summary>
    [JsonPropertyName("knobs")] public required IReadOnlyDictionary<string, string> Knobs { get; init; }

    /// <summary>Seeds finished with a value.</summary>
    [JsonPropertyName("finished")] public int Finished { get; init; }

    /// <summary>Seeds that diverged.</summary>
    [JsonPropertyName("diverged")] public int Diverged { get; init; }

    /// <summary>Seeds that failed.</summary>
    [JsonPropertyName("failed")] public int Failed { get; init; }

    /// <summary>Seeds pruned by successive halving or early stopping.</summary>
    [JsonPropertyName("pruned")] public int Pruned { get; init; }

    /// <summary>Seeds not yet final.</summary>
    [JsonPropertyName("pending")] public int Pending { get; init; }

    /// <summary>Mean objective over finished seeds.</summary>
    [JsonPropertyName("mean")] public double? Mean { get; init; }

    /// <summary>Seed-to-seed standard deviation.</summary>
    [JsonPropertyName("std")] public double? StandardDeviation { get; init; }

    /// <summary>Half-width of the 95 % t interval of the mean.</summary>
    [JsonPropertyName("ci_half_width")] public double? HalfWidth { get; init; }

    /// <summary>Mean test metric, reported only.</summary>
    [JsonPropertyName("test_mean")] public double? TestMean { get; init; }

    /// <summary>The effect against the baseline (null for the baseline itself).</summary>
    [JsonPropertyName("effect")] public Effect? Effect { get; init; }
}
