using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;

namespace PretrainLab.Engine.Training;

/// <summary>Everything the trainer needs besides the model shape and the data.</summary>
public sealed record TrainingOptions
{
    /// <summary>Seed for initialisation and batch sampling.</summary>
    public ulong Seed { get; init; } = 1337;

    /// <summary>Sequences per micro-batch.</summary>
    public int BatchSize { get; init; } = 12;

    /// <summary>Micro-batches per optimizer step (gradient accumulation).</summary>
    public int GradAccum { get; init; } = 1;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = new ConstantSchedule(1e-3, 0);

    /// <summary>AdamW hyperparameters.</summary>
    public AdamWOptions AdamW { get; init; } = new();

    /// <summary>Which optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>Muon hyperparameters (with <see cref="OptimizerKind.Muon"/>).</summary>
    public MuonOptions Muon { get; init; } = new();

    /// <summary>Peak learning rates per parameter group; null = <see cref="LearningRate"/> for all.</summary>
    public GroupLearningRates? GroupRates { get; init; }

    /// <summary>Builds the optimizer these options describe for <paramref name="model"/>.</summary>
    public IOptimizer CreateOptimizer(GptModel model) => Optimizer switch
    {
        OptimizerKind.AdamW => new AdamW(model.Parameters, AdamW, GroupRates),
        OptimizerKind.Muon => new OptimizerGroup(
            new Muon(model.Parameters, Muon, model.Parallelism, GroupRates),
            new AdamW(model.Parameters, AdamW, GroupRates, p => p.Kind != ParameterKind.Matrix)),
        _ => throw new ArgumentOutOfRangeException(nameof(Optimizer), $"optimizer {Optimizer}"),
    };

    /// <summary>Global gradient-norm clip; 0 disables clipping.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>When to stop.</summary>
    public Budget Budget { get; init; } = new(Steps: 100);

    /// <summary>Steps between evaluations (there is always one at the end).</summary>
    public int EvalInterval { get; init; } = 250;

    /// <summary>Validation tokens per evaluation; 0 = the whole validation split.</summary>
    public long EvalTokens { get; init; }

    /// <summary>
    /// Tokens between the starts of evaluation windows, 1 to the block size; 0 = the block size (no overlap).
    /// See <see cref="Evaluator"/>.
    /// </summary>
    public int EvalStride { get; init; }

    /// <summary>Steps between checkpoints; 0 = only at the end.</summary>
    public int CheckpointInterval { get; init; }

    /// <summary>A training loss this many nats above the running minimum marks the run as diverged.</summary>
    public double DivergenceMargin { get; init; } = 3.0;

    /// <summary>Consecutive steps the loss must stay above the margin to count as divergence (1 = any spike).</summary>
    public int DivergencePatience { get; init; } = 10;
}
