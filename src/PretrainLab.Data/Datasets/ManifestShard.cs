using System.Text.Json.Serialization;

namespace PretrainLab.Data.Datasets;

/// <summary>One token shard of a split.</summary>
public sealed record ManifestShard
{
    /// <summary>File name in the dataset folder, e.g. <c>train_000000.bin</c>.</summary>
    [JsonPropertyName("file")]
    public required string File { get; init; }

    /// <summary>Tokens in the shard (its header count).</summary>
    [JsonPropertyName("tokens")]
    public required long Tokens { get; init; }

    /// <summary>The shard's header version: 1 (uint16 tokens) or 2 (uint32).</summary>
    [JsonPropertyName("version")]
    public required int Version { get; init; }

    /// <summary>File size in bytes.</summary>
    [JsonPropertyName("bytes")]
    public required long Bytes { get; init; }

    /// <summary>Lowercase hex SHA-256 of the file.</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }
}
