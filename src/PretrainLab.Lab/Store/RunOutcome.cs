namespace PretrainLab.Lab.Store;

/// <summary>What a worker reports when its attempt ends.</summary>
public sealed record RunOutcome
{
    /// <summary>
    /// The state the run ends the attempt in: a final state, <see cref="RunState.Paused"/> at a rung, or
    /// <see cref="RunState.Queued"/> when interrupted with a checkpoint to resume from.
    /// </summary>
    public required RunState State { get; init; }

    /// <summary>Why (divergence, pruning, interruption), or null.</summary>
    public string? Reason { get; init; }

    /// <summary>The error of a failed attempt, or null.</summary>
    public string? Error { get; init; }

    /// <summary>Steps completed.</summary>
    public long Step { get; init; }

    /// <summary>Training tokens consumed.</summary>
    public long? Tokens { get; init; }

    /// <summary>Training FLOPs spent.</summary>
    public double? Flops { get; init; }

    /// <summary>Model parameters.</summary>
    public long? Parameters { get; init; }

    /// <summary>The last training loss.</summary>
    public double? TrainLoss { get; init; }

    /// <summary>The last validation loss.</summary>
    public double? ValLoss { get; init; }

    /// <summary>The last validation bits per byte.</summary>
    public double? ValBpb { get; init; }

    /// <summary>Test-split loss of the final model.</summary>
    public double? TestLoss { get; init; }

    /// <summary>Test-split bits per byte of the final model.</summary>
    public double? TestBpb { get; init; }

    /// <summary>Mean training throughput.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Seconds in training steps so far (carried across resumes by the checkpoint).</summary>
    public double? TrainSeconds { get; init; }

    /// <summary>Wall seconds of this attempt; added to the run's total.</summary>
    public double WallSeconds { get; init; }
}
