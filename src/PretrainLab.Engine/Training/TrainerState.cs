namespace PretrainLab.Engine.Training;

/// <summary>The trainer's progress: everything besides parameters and optimizer moments that a resumed run needs.</summary>
public sealed record TrainerState
{
    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; init; }

    /// <summary>Training tokens consumed.</summary>
    public long Tokens { get; init; }

    /// <summary>Seconds spent in training steps (evaluation and checkpoints excluded).</summary>
    public double TrainSeconds { get; init; }

    /// <summary>The lowest training loss so far (for divergence detection).</summary>
    public double MinLoss { get; init; } = double.PositiveInfinity;

    /// <summary>Consecutive steps, up to the last, whose loss was above the divergence margin.</summary>
    public int StepsAboveMargin { get; init; }

    /// <summary>The training loss of the last step.</summary>
    public double LastLoss { get; init; } = double.NaN;
}
