using System.Text.Json.Serialization;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Analysis;

/// <summary>A run that ended without a result to compare: diverged or failed.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Label">Its variant.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="State">diverged or failed.</param>
/// <param name="Why">Its reason or error.</param>
public sealed record RunIncident(
    [property: JsonPropertyName("run_id")] long RunId,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("why")] string? Why)
{
    /// <summary>The incident of <paramref name="run"/>.</summary>
    public static RunIncident Of(RunRecord run) => new(run.Id, run.Label, run.Seed, run.State.ToName(), run.Reason ?? run.Error);
}
