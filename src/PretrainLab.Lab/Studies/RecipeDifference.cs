using System.Text.Json;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Studies;

/// <summary>What a variant changes: the recipe keys whose values differ from the baseline's.</summary>
public static class RecipeDifference
{
    /// <summary>
    /// The <c>dotted.path</c> keys (name and seed left out) whose canonical values differ between
    /// <paramref name="baseline"/> and <paramref name="variant"/>, with the variant's value as text; a key the variant
    /// leaves unset (a budget it does not use) reads <c>null</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Between(Recipe baseline, Recipe variant)
    {
        var a = Flatten(baseline);
        var b = Flatten(variant);
        var knobs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in a.Keys.Union(b.Keys))
        {
            var before = a.GetValueOrDefault(key);
            var after = b.GetValueOrDefault(key);
            if (before != after && key is not "name" and not "seed")
                knobs[key] = after ?? "null";
        }
        return knobs;
    }

    /// <summary>
    /// Every <c>dotted.path</c> key of <paramref name="recipe"/>'s canonical JSON with its value as text, as
    /// <see cref="Between"/> compares them (strings unquoted, numbers and booleans as JSON writes them).
    /// </summary>
    public static Dictionary<string, string> Flatten(Recipe recipe)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(recipe.ToJson());
        Walk(document.RootElement, "", values);
        return values;
    }

    private static void Walk(JsonElement element, string prefix, Dictionary<string, string> values)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
                Walk(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", values);
            return;
        }
        values[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
    }
}
