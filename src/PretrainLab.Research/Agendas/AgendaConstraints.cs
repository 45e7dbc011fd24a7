using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>Limits on single experiments, checked on every proposal.</summary>
/// <param name="MaxParams">
/// The largest model allowed, counted as the N of the FLOP count (weights that multiply activations, the head once);
/// null for no limit.
/// </param>
/// <param name="MaxSeeds">The most seeds one experiment may ask for.</param>
/// <param name="MaxExperiments">The most experiments one proposal may hold.</param>
public sealed record AgendaConstraints(
    [property: JsonPropertyName("max_params")] long? MaxParams = null,
    [property: JsonPropertyName("max_seeds")] int MaxSeeds = 3,
    [property: JsonPropertyName("max_experiments")] int MaxExperiments = 8);
