using System.Text.Json.Serialization;

namespace PretrainLab.Lab.Bench;

/// <summary>What <c>plab bench</c> measured for one preset (snake_case in JSON).</summary>
public sealed record BenchResult
{
    [JsonPropertyName("preset")] public required string Preset { get; init; }
    [JsonPropertyName("threads")] public int Threads { get; init; }
    [JsonPropertyName("n_layer")] public int NLayer { get; init; }
    [JsonPropertyName("n_head")] public int NHead { get; init; }
    [JsonPropertyName("n_embd")] public int NEmbd { get; init; }
    [JsonPropertyName("block_size")] public int BlockSize { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; }
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }
    [JsonPropertyName("params")] public long Parameters { get; init; }
    [JsonPropertyName("flops_per_token")] public double FlopsPerToken { get; init; }
    /// <summary>Untimed steps run before timing.</summary>
    [JsonPropertyName("warmup")] public int Warmup { get; init; }

    /// <summary>Seconds those untimed steps took.</summary>
    [JsonPropertyName("warmup_seconds")] public double WarmupSeconds { get; init; }

    [JsonPropertyName("steps")] public int Steps { get; init; }

    /// <summary>Median of the per-step rates: robust to a step slowed by another process.</summary>
    [JsonPropertyName("tokens_per_second")] public double TokensPerSecond { get; init; }

    /// <summary>All timed tokens over all timed seconds.</summary>
    [JsonPropertyName("tokens_per_second_overall")] public double TokensPerSecondOverall { get; init; }

    /// <summary>Training FLOPs per token times the median rate, in GFLOP/s.</summary>
    [JsonPropertyName("gflops")] public double Gflops { get; init; }

    [JsonPropertyName("fma_ceiling_gflops")] public double FmaCeilingGflops { get; init; }
    [JsonPropertyName("fma_vector_bits")] public int FmaVectorBits { get; init; }

    /// <summary><see cref="Gflops"/> over <see cref="FmaCeilingGflops"/>.</summary>
    [JsonPropertyName("ceiling_fraction")] public double CeilingFraction { get; init; }

    /// <summary>Peak resident bytes of the process while this preset ran (VmHWM on Linux).</summary>
    [JsonPropertyName("peak_rss_bytes")] public long PeakRssBytes { get; init; }

    /// <summary>Native bytes of the model: parameters, gradients and activations (not AdamW's moments).</summary>
    [JsonPropertyName("model_bytes")] public long ModelBytes { get; init; }

    [JsonPropertyName("step_seconds")] public required IReadOnlyList<double> StepSeconds { get; init; }
    [JsonPropertyName("phase_seconds")] public required BenchPhases PhaseSeconds { get; init; }
}
