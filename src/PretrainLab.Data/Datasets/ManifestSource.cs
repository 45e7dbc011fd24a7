using System.Text.Json.Serialization;

namespace PretrainLab.Data.Datasets;

/// <summary>One corpus a dataset was built from, and how much of it survived cleaning.</summary>
public sealed record ManifestSource
{
    /// <summary>The source's name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The files read, in order, relative to the configuration file's folder.</summary>
    [JsonPropertyName("files")]
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>How documents were read, e.g. <c>text, blank_lines</c> or <c>jsonl, field text</c>.</summary>
    [JsonPropertyName("reading")]
    public required string Reading { get; init; }

    /// <summary>Its mixture weight as configured.</summary>
    [JsonPropertyName("weight")]
    public required double Weight { get; init; }

    /// <summary>Documents read.</summary>
    [JsonPropertyName("documents_read")]
    public required long DocumentsRead { get; init; }

    /// <summary>UTF-8 bytes read.</summary>
    [JsonPropertyName("bytes_read")]
    public required long BytesRead { get; init; }

    /// <summary>Documents left after cleaning.</summary>
    [JsonPropertyName("documents_kept")]
    public required long DocumentsKept { get; init; }

    /// <summary>UTF-8 bytes left after cleaning.</summary>
    [JsonPropertyName("bytes_kept")]
    public required long BytesKept { get; init; }
}
