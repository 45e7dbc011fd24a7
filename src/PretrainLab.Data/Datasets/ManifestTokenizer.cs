using System.Text.Json.Serialization;

namespace PretrainLab.Data.Datasets;

/// <summary>The tokenizer a dataset was encoded with, stored in the dataset's <c>tokenizer/</c> folder.</summary>
public sealed record ManifestTokenizer
{
    /// <summary>How it was obtained: <c>byte</c>, <c>tiktoken</c>, <c>directory</c> or <c>train</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>One more than the largest token id, the end-of-text token included.</summary>
    [JsonPropertyName("vocab_size")]
    public required int VocabSize { get; init; }

    /// <summary>The end-of-text token written before every document.</summary>
    [JsonPropertyName("eot_token")]
    public required int EotToken { get; init; }

    /// <summary>The split pattern.</summary>
    [JsonPropertyName("pattern")]
    public required string Pattern { get; init; }

    /// <summary>Where it came from: the rank file or folder loaded, or what it was trained on.</summary>
    [JsonPropertyName("origin")]
    public string? Origin { get; init; }

    /// <summary>Seconds spent training it, for a trained tokenizer.</summary>
    [JsonPropertyName("train_seconds")]
    public double? TrainSeconds { get; init; }

    /// <summary>The tokenizer's files (<c>tokenizer/tokenizer.tiktoken</c>, <c>tokenizer/tokenizer.json</c>).</summary>
    [JsonPropertyName("files")]
    public required IReadOnlyList<ManifestFile> Files { get; init; }
}
