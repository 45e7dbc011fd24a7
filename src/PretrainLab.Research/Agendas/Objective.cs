using System.Text.Json.Serialization;

namespace PretrainLab.Research.Agendas;

/// <summary>The metric a study improves and which way is better.</summary>
/// <param name="Metric">A validation metric the lab records: <c>val_bpb</c> or <c>val_loss</c>.</param>
/// <param name="Direction"><c>minimize</c>: both metrics are losses.</param>
public sealed record Objective(
    [property: JsonPropertyName("metric")] string Metric = "val_bpb",
    [property: JsonPropertyName("direction")] string Direction = "minimize");
