using System.Text.Json.Serialization;

namespace PretrainLab.Data.Cleaning;

/// <summary>One removed document shown in a report.</summary>
public sealed record ReasonExample
{
    /// <summary>Where the document was read (<see cref="Corpora.Document.Source"/>).</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary>The start of its text, whitespace runs shown as one space.</summary>
    [JsonPropertyName("excerpt")]
    public required string Excerpt { get; init; }

    /// <summary>What the rule measured, or which document it duplicates.</summary>
    [JsonPropertyName("detail")]
    public required string Detail { get; init; }
}
