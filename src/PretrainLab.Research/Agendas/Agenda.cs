using System.Text.Json;
using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>
/// A research agenda as read from its Markdown file: what to improve, where to start, what may change and within
/// which bounds, what may be spent, and the human's guidance. Stored with its study, so the study can be resumed and
/// served without the file.
/// </summary>
public sealed record Agenda
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The study's name, unique in the store.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>The metric to improve.</summary>
    [JsonPropertyName("objective")] public required Objective Objective { get; init; }

    /// <summary>Absolute path of the baseline recipe.</summary>
    [JsonPropertyName("baseline")] public required string Baseline { get; init; }

    /// <summary><c>dotted.path=value</c> overrides every run gets, the per-run budget's among them.</summary>
    [JsonPropertyName("set")] public required IReadOnlyList<string> Set { get; init; }

    /// <summary>The per-run budget as overrides (<c>budget.tokens=200000</c>), or empty to keep the recipe's.</summary>
    [JsonPropertyName("per_run")] public required IReadOnlyList<string> PerRun { get; init; }

    /// <summary>What the whole study may spend.</summary>
    [JsonPropertyName("budget")] public required ResearchBudget Budget { get; init; }

    /// <summary>Seeds of the baseline, of experiments and of the final confirmation.</summary>
    [JsonPropertyName("seeds")] public required SeedPlan Seeds { get; init; }

    /// <summary>The keys the researcher may change, in the order written.</summary>
    [JsonPropertyName("knobs")] public required IReadOnlyList<Knob> Knobs { get; init; }

    /// <summary>Limits on single experiments.</summary>
    [JsonPropertyName("constraints")] public required AgendaConstraints Constraints { get; init; }

    /// <summary>A held-out file every finished run is evaluated on, reported only; or null.</summary>
    [JsonPropertyName("test_data")] public string? TestData { get; init; }

    /// <summary>How the LLM researcher runs and what it may spend.</summary>
    [JsonPropertyName("researcher")] public required LlmSettings Researcher { get; init; }

    /// <summary>Worker crashes a run survives before it is failed.</summary>
    [JsonPropertyName("max_attempts")] public int MaxAttempts { get; init; } = 3;

    /// <summary>The Markdown after the front matter: the human's guidance to the researcher.</summary>
    [JsonPropertyName("guidance")] public required string Guidance { get; init; }

    /// <summary>The file it was read from, for people.</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    /// <summary>The knob at <paramref name="path"/>, or null when the researcher may not change that key.</summary>
    public Knob? FindKnob(string path) => Knobs.FirstOrDefault(k => k.Path == path);

    /// <summary>Compact JSON, as stored with the study.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The JSON is not an agenda.</exception>
    public static Agenda FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Agenda>(json, Json) ?? throw new InvalidDataException("the stored agenda is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the stored agenda is not valid: {e.Message}", e);
        }
    }
}
