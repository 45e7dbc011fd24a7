using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Bench;

/// <summary>Mean seconds per timed step spent in each part of a training step.</summary>
public sealed record BenchPhases
{
    /// <summary>Zeroing the gradients and the forward pass with the loss.</summary>
    [JsonPropertyName("forward")] public double Forward { get; init; }

    /// <summary>The backward pass.</summary>
    [JsonPropertyName("backward")] public double Backward { get; init; }

    /// <summary>The global gradient norm and clipping.</summary>
    [JsonPropertyName("clip")] public double Clip { get; init; }

    /// <summary>The AdamW update.</summary>
    [JsonPropertyName("optimizer")] public double Optimizer { get; init; }
}
