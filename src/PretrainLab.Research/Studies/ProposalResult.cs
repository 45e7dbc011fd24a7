using System.Text.Json.Serialization;

namespace PretrainLab.Research.Studies;

/// <summary>What became of one proposed experiment: its runs, or why it was refused.</summary>
/// <param name="Index">Its position in the proposal, from 0.</param>
/// <param name="Label">The variant it runs as (an earlier one when it repeats that recipe); null when refused.</param>
/// <param name="RunIds">The runs queued for it.</param>
/// <param name="Seeds">Their seeds.</param>
/// <param name="Error">Why it was refused, or null.</param>
/// <param name="OverBudget">True when it was refused because the budget cannot pay for it.</param>
public sealed record ProposalResult(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("run_ids")] IReadOnlyList<long> RunIds,
    [property: JsonPropertyName("seeds")] IReadOnlyList<int> Seeds,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonIgnore] bool OverBudget = false)
{
    /// <summary>Whether runs were queued.</summary>
    [JsonIgnore]
    public bool Accepted => Error is null;
}
