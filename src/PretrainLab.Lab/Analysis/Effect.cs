using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Analysis;

/// <summary>
/// A change's effect on a metric: the difference of means (variant − baseline, so negative is better for a loss)
/// with a confidence interval over seeds, and whether it clears the noise floor.
/// </summary>
public sealed record Effect
{
    /// <summary>The variant compared against.</summary>
    [JsonPropertyName("baseline")] public required string Baseline { get; init; }

    /// <summary>The variant whose effect this is.</summary>
    [JsonPropertyName("variant")] public required string Variant { get; init; }

    /// <summary>The metric (lower is better).</summary>
    [JsonPropertyName("metric")] public required string Metric { get; init; }

    /// <summary>Baseline seeds with a value.</summary>
    [JsonPropertyName("baseline_n")] public int BaselineCount { get; init; }

    /// <summary>Variant seeds with a value.</summary>
    [JsonPropertyName("variant_n")] public int VariantCount { get; init; }

    /// <summary>The baseline's mean.</summary>
    [JsonPropertyName("baseline_mean")] public double? BaselineMean { get; init; }

    /// <summary>The variant's mean.</summary>
    [JsonPropertyName("variant_mean")] public double? VariantMean { get; init; }

    /// <summary>Variant − baseline: the mean of paired differences, or the difference of means.</summary>
    [JsonPropertyName("difference")] public double? Difference { get; init; }

    /// <summary>The difference relative to the baseline mean, in percent.</summary>
    [JsonPropertyName("relative_percent")] public double? RelativePercent { get; init; }

    /// <summary>The interval's lower end, or null with too few seeds.</summary>
    [JsonPropertyName("ci_low")] public double? Low { get; init; }

    /// <summary>The interval's upper end, or null with too few seeds.</summary>
    [JsonPropertyName("ci_high")] public double? High { get; init; }

    /// <summary>The interval's confidence level, e.g. 0.95.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }

    /// <summary>True when the interval comes from differences of runs with the same seed.</summary>
    [JsonPropertyName("paired")] public bool Paired { get; init; }

    /// <summary>Degrees of freedom of the t quantile (Welch–Satterthwaite when unpaired).</summary>
    [JsonPropertyName("df")] public double? DegreesOfFreedom { get; init; }

    /// <summary>The noise floor σ: the baseline's seed-to-seed standard deviation.</summary>
    [JsonPropertyName("noise_sigma")] public double? NoiseSigma { get; init; }

    /// <summary>True when the interval excludes 0 and |difference| &gt; 2σ of the noise floor.</summary>
    [JsonPropertyName("clears_noise_floor")] public bool ClearsNoiseFloor { get; init; }

    /// <summary><c>better</c>, <c>worse</c>, <c>within noise</c>, or <c>too few seeds</c> to tell.</summary>
    [JsonPropertyName("verdict")] public required string Verdict { get; init; }
}
