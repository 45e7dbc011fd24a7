using System.Text.Json.Serialization;

namespace PretrainLab.Data.Mixtures;

/// <summary>What one source contributed to a mixture.</summary>
public sealed record MixtureShare
{
    /// <summary>The source's name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Its normalised weight: the token share aimed for.</summary>
    [JsonPropertyName("weight")]
    public double Weight { get; init; }

    /// <summary>Tokens aimed for: weight × the mixture's target.</summary>
    [JsonPropertyName("target_tokens")]
    public long TargetTokens { get; init; }

    /// <summary>Tokens drawn (documents drawn twice count twice).</summary>
    [JsonPropertyName("tokens")]
    public long Tokens { get; init; }

    /// <summary>The share of the mixture's tokens actually drawn from this source.</summary>
    [JsonPropertyName("share")]
    public double Share { get; init; }

    /// <summary>Documents drawn (documents drawn twice count twice).</summary>
    [JsonPropertyName("documents")]
    public long Documents { get; init; }

    /// <summary>Documents the source had to draw from.</summary>
    [JsonPropertyName("available_documents")]
    public long AvailableDocuments { get; init; }

    /// <summary>Passes over the source's documents begun: 1 without repetition, more when it was repeated to meet its target.</summary>
    [JsonPropertyName("epochs")]
    public int Epochs { get; init; }
}
