using System.Text.Json;
using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Studies;

/// <summary>
/// A study's settings, resolved from its study file and stored with it as JSON: the variants, the seeds every
/// variant is trained with, the metric that decides, and how runs are scheduled.
/// </summary>
public sealed record StudySpec
{
    /// <summary>The metrics a study may decide on; lower is better for both.</summary>
    public static readonly IReadOnlyList<string> Objectives = ["val_bpb", "val_loss"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Unique study name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The validation metric decisions use: <c>val_bpb</c> or <c>val_loss</c>.</summary>
    [JsonPropertyName("objective")]
    public string Objective { get; init; } = "val_bpb";

    /// <summary>The seeds each variant is trained with; matching seeds pair runs across variants.</summary>
    [JsonPropertyName("seeds")]
    public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>The label of the variant every other is compared with.</summary>
    [JsonPropertyName("baseline")]
    public required string Baseline { get; init; }

    /// <summary>The variants, baseline first.</summary>
    [JsonPropertyName("variants")]
    public required IReadOnlyList<StudyVariant> Variants { get; init; }

    /// <summary>Successive-halving settings, or null to train every run to its full budget.</summary>
    [JsonPropertyName("halving")]
    public HalvingSpec? Halving { get; init; }

    /// <summary>The median stopping rule, or null to let every run finish (not combined with halving).</summary>
    [JsonPropertyName("early_stopping")]
    public EarlyStoppingSpec? EarlyStopping { get; init; }

    /// <summary>A held-out text file or shard each finished run is evaluated on, reported only; or null.</summary>
    [JsonPropertyName("test_data")]
    public string? TestData { get; init; }

    /// <summary>How many worker processes a run may use up: a run whose workers crash this often is failed.</summary>
    [JsonPropertyName("max_attempts")]
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The study file it was read from, for people.</summary>
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>The JSON stored as the study's definition.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored definition.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a study definition.</exception>
    public static StudySpec FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<StudySpec>(json) ?? throw new InvalidDataException("the study definition is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the stored study definition is not valid: {e.Message}", e);
        }
    }
}
