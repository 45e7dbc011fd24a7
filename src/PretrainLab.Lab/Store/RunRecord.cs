namespace PretrainLab.Lab.Store;

/// <summary>A stored run: its definition, where it stands, and its final (or latest) metrics.</summary>
public sealed record RunRecord
{
    /// <summary>Store-assigned id.</summary>
    public required long Id { get; init; }

    /// <summary>The study it belongs to.</summary>
    public required long StudyId { get; init; }

    /// <summary>The variant label; seed replicates share it.</summary>
    public required string Label { get; init; }

    /// <summary>The recipe's seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Hash of the recipe with the seed cleared (see <see cref="NewRun.ConfigHash"/>).</summary>
    public required string ConfigHash { get; init; }

    /// <summary>The recipe's full hash (<see cref="Recipes.Recipe.Hash"/>).</summary>
    public required string RecipeHash { get; init; }

    /// <summary>The canonical recipe JSON; null when listed without recipes (<see cref="RunQuery.WithRecipes"/>).</summary>
    public string? Recipe { get; init; }

    /// <summary>The variant's settings, <c>dotted.path</c> to value text.</summary>
    public required IReadOnlyDictionary<string, string> Knobs { get; init; }

    /// <summary>The run folder.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Where it stands.</summary>
    public required RunState State { get; init; }

    /// <summary>The successive-halving rung it is at (0 for the first, or without halving).</summary>
    public long Rung { get; init; }

    /// <summary>The step it pauses at for its rung; null trains to the recipe's budget.</summary>
    public long? TargetStep { get; init; }

    /// <summary>Worker processes started for it so far; each owns the run under its attempt number.</summary>
    public long Attempt { get; init; }

    /// <summary>A stop the lab asked of its worker (<c>interrupt</c> or <c>prune</c>), or null.</summary>
    public string? StopRequest { get; init; }

    /// <summary>Kernel threads the scheduler gave it.</summary>
    public int? Threads { get; init; }

    /// <summary>The machine its worker runs on.</summary>
    public string? WorkerHost { get; init; }

    /// <summary>Its worker's process id.</summary>
    public int? WorkerPid { get; init; }

    /// <summary>When it was added.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its first worker started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Its worker's last sign of life.</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }

    /// <summary>When it reached its current final or paused state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Steps completed.</summary>
    public long Step { get; init; }

    /// <summary>Steps its budget allows (an estimate for time budgets).</summary>
    public long? TotalSteps { get; init; }

    /// <summary>The last checkpoint folder.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>The step of the last checkpoint.</summary>
    public long? CheckpointStep { get; init; }

    /// <summary>Training tokens consumed.</summary>
    public long? Tokens { get; init; }

    /// <summary>Training FLOPs spent.</summary>
    public double? Flops { get; init; }

    /// <summary>Model parameters.</summary>
    public long? Parameters { get; init; }

    /// <summary>The last training loss.</summary>
    public double? TrainLoss { get; init; }

    /// <summary>The last validation loss, in nats per token.</summary>
    public double? ValLoss { get; init; }

    /// <summary>The last validation bits per byte.</summary>
    public double? ValBpb { get; init; }

    /// <summary>Test-split loss of the final model, reported only, never used for decisions.</summary>
    public double? TestLoss { get; init; }

    /// <summary>Test-split bits per byte of the final model.</summary>
    public double? TestBpb { get; init; }

    /// <summary>Mean training throughput.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Seconds in training steps, over all attempts that count.</summary>
    public double? TrainSeconds { get; init; }

    /// <summary>Wall seconds of all its worker attempts together.</summary>
    public double? WallSeconds { get; init; }

    /// <summary>Why it ended as it did (divergence step, pruning rung), or null.</summary>
    public string? Reason { get; init; }

    /// <summary>The last error: a failure, or a crash it was resumed from.</summary>
    public string? Error { get; init; }

    /// <summary>The value of a metric by its stored name (<c>val_loss</c>, <c>val_bpb</c>, <c>train_loss</c>, <c>test_loss</c>, <c>test_bpb</c>).</summary>
    /// <exception cref="ArgumentException">The name is not a metric.</exception>
    public double? Metric(string name) => name switch
    {
        "val_loss" => ValLoss,
        "val_bpb" => ValBpb,
        "train_loss" => TrainLoss,
        "test_loss" => TestLoss,
        "test_bpb" => TestBpb,
        _ => throw new ArgumentException($"unknown metric '{name}'; expected val_loss, val_bpb, train_loss, test_loss or test_bpb"),
    };
}
