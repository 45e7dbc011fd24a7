using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>
/// How the LLM researcher is run and what it may spend. Prices turn token counts into a cost; the caps stop the
/// researcher (never a run) once crossed.
/// </summary>
/// <param name="Model">The model name the API is asked for.</param>
/// <param name="MaxOutputTokens">The most tokens one reply may have.</param>
/// <param name="MaxToolRounds">Model calls in one turn before the turn is closed.</param>
/// <param name="MaxTokens">Input and output tokens the study may spend in all; null for no cap.</param>
/// <param name="MaxCostUsd">Dollars the study may spend in all; null for no cap.</param>
/// <param name="InputUsdPerMillion">Price of a million input tokens.</param>
/// <param name="OutputUsdPerMillion">Price of a million output tokens.</param>
public sealed record LlmSettings(
    [property: JsonPropertyName("model")] string Model = LlmSettings.DefaultModel,
    [property: JsonPropertyName("max_output_tokens")] int MaxOutputTokens = 4096,
    [property: JsonPropertyName("max_tool_rounds")] int MaxToolRounds = 8,
    [property: JsonPropertyName("max_tokens")] long? MaxTokens = null,
    [property: JsonPropertyName("max_cost_usd")] double? MaxCostUsd = null,
    [property: JsonPropertyName("input_usd_per_million")] double InputUsdPerMillion = 3,
    [property: JsonPropertyName("output_usd_per_million")] double OutputUsdPerMillion = 15)
{
    /// <summary>The model used when neither the agenda nor <c>--model</c> names one.</summary>
    public const string DefaultModel = "claude-sonnet-4-5";
}
