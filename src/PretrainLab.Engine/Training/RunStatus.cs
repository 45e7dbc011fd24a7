namespace PretrainLab.Engine.Training;

/// <summary>How a training run ended.</summary>
public enum RunStatus
{
    /// <summary>The budget was spent.</summary>
    Finished,

    /// <summary>The loss became NaN or infinite, or rose far above its running minimum; a result, not a crash.</summary>
    Diverged,

    /// <summary>Stopped on request before the budget was spent; a checkpoint allows resuming.</summary>
    Cancelled,
}
