using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Studies;

/// <summary>
/// The median stopping rule (Golovin et al. 2017), applied to whole variants: a variant whose mean validation objective
/// at an evaluation step is worse than the median of the finished variants' means at that step is stopped, all seeds
/// together, as it is unlikely to catch up.
/// </summary>
/// <param name="MinFraction">No variant is judged before this share of its budget, in (0, 1).</param>
/// <param name="MinFinished">Finished variants needed, at least 1, before any variant is judged against their median.</param>
public sealed record EarlyStoppingSpec(
    [property: JsonPropertyName("min_fraction")] double MinFraction,
    [property: JsonPropertyName("min_finished")] int MinFinished);
