namespace PretrainLab.Engine.Training;

/// <summary>What a run produced.</summary>
public sealed record TrainingResult
{
    /// <summary>How it ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why it diverged (or was cancelled), with the step; null when finished.</summary>
    public string? Reason { get; init; }

    /// <summary>The final trainer state.</summary>
    public required TrainerState State { get; init; }

    /// <summary>The last validation measurement, or null if none was taken (diverged before any).</summary>
    public EvalMetrics? Validation { get; init; }

    /// <summary>Training FLOPs spent (per-token FLOPs times tokens).</summary>
    public double Flops { get; init; }

    /// <summary>Mean training throughput.</summary>
    public double TokensPerSecond => State.TrainSeconds > 0 ? State.Tokens / State.TrainSeconds : 0;
}
