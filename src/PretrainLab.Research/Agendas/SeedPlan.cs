using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>How many seeds runs are replicated over. Seeds count up from the baseline recipe's, so replicates pair.</summary>
/// <param name="Noise">Seeds of the baseline, whose spread is the noise floor; at least 2.</param>
/// <param name="Experiment">Seeds of an experiment unless its proposal asks for more.</param>
/// <param name="Confirm">Seeds the incumbent is brought to at the end, so its effect has an interval.</param>
public sealed record SeedPlan(
    [property: JsonPropertyName("noise")] int Noise = 3,
    [property: JsonPropertyName("experiment")] int Experiment = 1,
    [property: JsonPropertyName("confirm")] int Confirm = 3);
