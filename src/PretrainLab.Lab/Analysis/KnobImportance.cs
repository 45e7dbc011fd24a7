using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Analysis;

/// <summary>How much of the objective's spread across a study's runs one knob explains.</summary>
/// <param name="Knob">The <c>dotted.path</c> of the knob, or <c>seed</c> for the noise among replicates.</param>
/// <param name="EtaSquared">Share of the objective's variance explained by the knob's fitted main effect (0 to 1).</param>
/// <param name="Levels">Level (value text) to the mean objective at that level, other knobs' effects taken out.</param>
/// <param name="Best">The level with the lowest adjusted mean.</param>
public sealed record KnobImportance(
    [property: JsonPropertyName("knob")] string Knob,
    [property: JsonPropertyName("eta_squared")] double EtaSquared,
    [property: JsonPropertyName("levels")] IReadOnlyDictionary<string, double> Levels,
    [property: JsonPropertyName("best")] string Best);
