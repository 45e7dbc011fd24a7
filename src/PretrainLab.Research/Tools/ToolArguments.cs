using System.Globalization;
using System.Text.Json;

namespace PretrainLab.Research.Tools;

/// <summary>
/// Reads a tool's JSON input strictly: unknown fields, missing required ones and wrong types are all reported, by
/// name, in one <see cref="ToolInputException"/>, so a model that sent a malformed call learns every problem at once.
/// </summary>
internal sealed class ToolArguments
{
    private readonly JsonElement _input;
    private readonly List<string> _errors = [];

    /// <summary>Reads <paramref name="input"/>, which must be an object with only <paramref name="fields"/>.</summary>
    public ToolArguments(JsonElement input, params string[] fields)
    {
        _input = input;
        if (input.ValueKind != JsonValueKind.Object)
        {
            _errors.Add($"the input must be a JSON object, got {Describe(input)}");
            return;
        }
        foreach (var property in input.EnumerateObject())
        {
            if (!fields.Contains(property.Name))
                _errors.Add($"unknown field '{property.Name}'" + (fields.Length == 0 ? "; this tool takes no input" : $"; expected {string.Join(", ", fields)}"));
        }
    }

    /// <summary>Throws the collected problems, if any.</summary>
    /// <exception cref="ToolInputException">Some field was wrong.</exception>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
            throw new ToolInputException(string.Join("; ", _errors));
    }

    /// <summary>A string field.</summary>
    public string? String(string name, bool required = false) => Read(name, required, "a string", e => e.ValueKind == JsonValueKind.String ? e.GetString() : null);

    /// <summary>An integer field in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long? Integer(string name, long min, long max, bool required = false)
    {
        var value = Read(name, required, "an integer", e => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var x) ? x : (long?)null);
        if (value is { } v && (v < min || v > max))
        {
            _errors.Add($"{name} must be between {min} and {max}, got {v}");
            return null;
        }
        return value;
    }

    /// <summary>A field that names a run by id or a variant by label: an integer or a string, as text.</summary>
    public string? RunOrLabel(string name, bool required = false) => Read(name, required, "a run id or a variant label", e => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number when e.TryGetInt64(out var id) => id.ToString(CultureInfo.InvariantCulture),
        _ => null,
    });

    /// <summary>A boolean field.</summary>
    public bool? Boolean(string name) => Read(name, false, "true or false", e => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : (bool?)null);

    /// <summary>An object field, as its element.</summary>
    public JsonElement? Object(string name, bool required = false) =>
        Read(name, required, "an object", e => e.ValueKind == JsonValueKind.Object ? e : (JsonElement?)null);

    /// <summary>An array field, as its items.</summary>
    public IReadOnlyList<JsonElement>? Array(string name, bool required = false) =>
        Read(name, required, "an array", e => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : null);

    /// <summary>Records a problem found by the caller.</summary>
    public void Error(string message) => _errors.Add(message);

    /// <summary>A scalar as knob value text: a number as written, a string, or a boolean; null (with an error) for anything else.</summary>
    public string? Scalar(string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.GetRawText();
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.True or JsonValueKind.False:
                return value.GetBoolean() ? "true" : "false";
            default:
                _errors.Add($"{name} must be a number, a string or a boolean, got {Describe(value)}");
                return null;
        }
    }

    private T? Read<T>(string name, bool required, string expected, Func<JsonElement, T?> read)
    {
        if (_input.ValueKind != JsonValueKind.Object || !_input.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
                _errors.Add($"{name} is required ({expected})");
            return default;
        }
        var value = read(element);
        if (value is null)
            _errors.Add($"{name} must be {expected}, got {Describe(element)}");
        return value;
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Clip(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
