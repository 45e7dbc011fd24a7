using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>
/// What a whole study may spend: any of training FLOPs, training tokens, runs and hours of the research loop's wall
/// clock (summed over restarts). The study stops proposing at the first limit it would cross.
/// </summary>
/// <param name="Flops">Training FLOPs of all runs together.</param>
/// <param name="Tokens">Training tokens of all runs together.</param>
/// <param name="Runs">Runs, every seed counting as one.</param>
/// <param name="Hours">Hours of research, summed over the sessions of <c>plab research</c>.</param>
public sealed record ResearchBudget(
    [property: JsonPropertyName("flops")] double? Flops = null,
    [property: JsonPropertyName("tokens")] double? Tokens = null,
    [property: JsonPropertyName("runs")] int? Runs = null,
    [property: JsonPropertyName("hours")] double? Hours = null);
