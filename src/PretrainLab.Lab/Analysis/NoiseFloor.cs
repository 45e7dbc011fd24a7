using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Analysis;

/// <summary>The baseline replicated over seeds: the yardstick every effect is held against.</summary>
/// <param name="Label">The baseline variant.</param>
/// <param name="Seeds">Finished replicates.</param>
/// <param name="Mean">Their mean objective.</param>
/// <param name="Sigma">Their standard deviation, or null with fewer than 2.</param>
public sealed record NoiseFloor(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("seeds")] int Seeds,
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("sigma")] double? Sigma);
