using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Studies;

/// <summary>One arm of a study: a recipe file and the overrides that make it, trained once per seed.</summary>
/// <param name="Label">Unique within the study; the baseline's is <see cref="StudySpec.Baseline"/>.</param>
/// <param name="Recipe">Absolute path of the recipe file.</param>
/// <param name="Overrides"><c>dotted.path=value</c> overrides applied to the file, in order (the study's shared ones first).</param>
/// <param name="GridPoint">
/// True for a point of a grid, which is dropped rather than refused when it trains the same recipe as an earlier
/// variant (a grid usually passes through the baseline's own values).
/// </param>
public sealed record StudyVariant(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("recipe")] string Recipe,
    [property: JsonPropertyName("overrides")] IReadOnlyList<string> Overrides,
    [property: JsonPropertyName("grid_point")] bool GridPoint = false);
