namespace PretrainLab.Lab.Recipes;

/// <summary>How the training loop runs (recipe section <c>train</c>).</summary>
/// <param name="BatchSize">Sequences per micro-batch (<c>batch_size</c>), at least 1.</param>
/// <param name="GradAccum">Micro-batches per optimizer step (<c>grad_accum</c>), at least 1.</param>
/// <param name="Threads">Worker threads (<c>threads</c>), at least 0; 0 uses all cores.</param>
/// <param name="CheckpointInterval">Steps between checkpoints (<c>checkpoint_interval</c>), at least 0; 0 checkpoints only at the end.</param>
/// <param name="DivergenceMargin">
/// Nats above its running minimum at which a loss ends the run as diverged (<c>divergence_margin</c>), greater than 0.
/// </param>
public sealed record TrainSpec(int BatchSize, int GradAccum, int Threads, int CheckpointInterval, double DivergenceMargin)
{
    /// <summary>
    /// Consecutive steps the loss must stay above the margin to end the run as diverged (<c>divergence_patience</c>),
    /// at least 1; a one-step spike that recovers is not divergence.
    /// </summary>
    public int DivergencePatience { get; init; } = 10;

    /// <summary>
    /// Tokens per optimizer step (<c>batch_tokens</c>); null = batch_size × block_size × grad_accum. When set it
    /// must be a multiple of batch_size × block_size, and the multiple becomes the gradient accumulation.
    /// </summary>
    public long? BatchTokens { get; init; }

    /// <summary>12 sequences per step on all cores, checkpointed at the end.</summary>
    public static TrainSpec Default { get; } =
        new(BatchSize: 12, GradAccum: 1, Threads: 0, CheckpointInterval: 0, DivergenceMargin: 3.0);
}
