using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Runs;

/// <summary>What <c>plab train</c> reports at the end of a run (and writes to <c>summary.json</c>).</summary>
public sealed record RunSummary
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("recipe_hash")] public required string RecipeHash { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("steps")] public long Steps { get; init; }
    [JsonPropertyName("tokens")] public long Tokens { get; init; }
    [JsonPropertyName("flops")] public double Flops { get; init; }
    [JsonPropertyName("params")] public long Parameters { get; init; }
    [JsonPropertyName("train_loss")] public double? TrainLoss { get; init; }
    [JsonPropertyName("val_loss")] public double? ValLoss { get; init; }
    [JsonPropertyName("val_bpb")] public double? ValBpb { get; init; }
    [JsonPropertyName("tokens_per_second")] public double TokensPerSecond { get; init; }
    [JsonPropertyName("train_seconds")] public double TrainSeconds { get; init; }
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }
    [JsonPropertyName("threads")] public int Threads { get; init; }
    [JsonPropertyName("out_dir")] public required string OutDir { get; init; }
}
