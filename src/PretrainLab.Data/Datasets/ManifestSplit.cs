using System.Text.Json.Serialization;
using PretrainLab.Data.Mixtures;

namespace PretrainLab.Data.Datasets;

/// <summary>One split of a dataset: its documents, tokens and shards.</summary>
public sealed record ManifestSplit
{
    /// <summary>Documents written (a document drawn twice by the mixture counts twice).</summary>
    [JsonPropertyName("documents")]
    public required long Documents { get; init; }

    /// <summary>Tokens written, one end-of-text token per document included: the sum over the shards.</summary>
    [JsonPropertyName("tokens")]
    public required long Tokens { get; init; }

    /// <summary>UTF-8 bytes of the documents' text: the sum of the token byte lengths over the split.</summary>
    [JsonPropertyName("text_bytes")]
    public required long TextBytes { get; init; }

    /// <summary>The shards in order; their concatenation is the split's token stream.</summary>
    [JsonPropertyName("shards")]
    public required IReadOnlyList<ManifestShard> Shards { get; init; }

    /// <summary>What each source contributed, when the split was drawn as a mixture.</summary>
    [JsonPropertyName("mixture")]
    public IReadOnlyList<MixtureShare>? Mixture { get; init; }
}
