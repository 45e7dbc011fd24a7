using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Analysis;

/// <summary>Best-so-far against compute: the state of a study after one more run ended.</summary>
/// <param name="RunId">The run that ended.</param>
/// <param name="Flops">Training FLOPs spent by all runs that had ended by then (pruned and diverged ones included).</param>
/// <param name="WallSeconds">Worker wall seconds spent by them.</param>
/// <param name="Best">The best objective of a finished run so far, or null before the first.</param>
/// <param name="BestLabel">The variant of that run.</param>
public sealed record ComputePoint(
    [property: JsonPropertyName("run_id")] long RunId,
    [property: JsonPropertyName("flops")] double Flops,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("best")] double? Best,
    [property: JsonPropertyName("best_label")] string? BestLabel);
