using System.Text.Json.Serialization;
using PretrainLab.Lab.Store;

namespace PretrainLab.Research.Studies;

/// <summary>Tokens the LLM researcher used and what they cost.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Reply tokens.</param>
/// <param name="CostUsd">Their price in dollars.</param>
public sealed record LlmUsage(
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("cost_usd")] double CostUsd)
{
    /// <summary>Nothing used.</summary>
    public static LlmUsage None { get; } = new(0, 0, 0);

    /// <summary>Input and output tokens together.</summary>
    [JsonIgnore]
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>The sum of two usages.</summary>
    public static LlmUsage operator +(LlmUsage a, LlmUsage b) => new(a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens, a.CostUsd + b.CostUsd);

    /// <summary>What a study's journal says was used, over all its sessions.</summary>
    public static LlmUsage FromJournal(IEnumerable<JournalEntry> journal) => journal
        .Where(e => e.Kind == ResearchJournal.Usage)
        .Select(e => ResearchJournal.ParseUsage(e.Text))
        .OfType<(long Input, long Output, double Cost)>()
        .Aggregate(None, (sum, u) => sum + new LlmUsage(u.Input, u.Output, u.Cost));
}
