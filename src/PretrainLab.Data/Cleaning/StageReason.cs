using System.Text.Json.Serialization;

namespace PretrainLab.Data.Cleaning;

/// <summary>The documents a stage removed for one reason.</summary>
public sealed class StageReason
{
    /// <summary>The reason: a rule name, <c>exact_duplicate</c> or <c>near_duplicate</c>.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    /// <summary>Documents removed for it.</summary>
    [JsonPropertyName("documents")]
    public long Documents { get; set; }

    /// <summary>Their UTF-8 bytes.</summary>
    [JsonPropertyName("bytes")]
    public long Bytes { get; set; }

    /// <summary>The first few of them.</summary>
    [JsonPropertyName("examples")]
    public List<ReasonExample> Examples { get; init; } = [];
}
