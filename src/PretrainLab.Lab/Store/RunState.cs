namespace PretrainLab.Lab.Store;

/// <summary>Where a run stands. Stored as the lowercase name (<c>queued</c>, <c>running</c>, ...).</summary>
public enum RunState
{
    /// <summary>Waiting for a slot; resumes from its checkpoint if it has one.</summary>
    Queued,

    /// <summary>A lab has taken it and is starting a worker process for it.</summary>
    Starting,

    /// <summary>A worker process is training it and sending heartbeats.</summary>
    Running,

    /// <summary>Stopped at a successive-halving rung with a checkpoint, waiting to be promoted or pruned.</summary>
    Paused,

    /// <summary>The budget was spent.</summary>
    Finished,

    /// <summary>The loss diverged: a result, with the step in the reason.</summary>
    Diverged,

    /// <summary>Training failed (bad data, a repeated crash); the error says why.</summary>
    Failed,

    /// <summary>Stopped early by successive halving or early stopping; its metrics are those where it stopped.</summary>
    Pruned,

    /// <summary>Cancelled by a person or a researcher (the lab itself never cancels); not resumed.</summary>
    Cancelled,
}
