namespace PretrainLab.Lab.Store;

/// <summary>The stored names of <see cref="RunState"/> and which states are final.</summary>
public static class RunStateNames
{
    /// <summary>The lowercase name stored in the database and shown to people.</summary>
    public static string ToName(this RunState state) => state switch
    {
        RunState.Queued => "queued",
        RunState.Starting => "starting",
        RunState.Running => "running",
        RunState.Paused => "paused",
        RunState.Finished => "finished",
        RunState.Diverged => "diverged",
        RunState.Failed => "failed",
        RunState.Pruned => "pruned",
        RunState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Reads a stored name.</summary>
    /// <exception cref="InvalidDataException">The name is not a run state.</exception>
    public static RunState Parse(string name) => name switch
    {
        "queued" => RunState.Queued,
        "starting" => RunState.Starting,
        "running" => RunState.Running,
        "paused" => RunState.Paused,
        "finished" => RunState.Finished,
        "diverged" => RunState.Diverged,
        "failed" => RunState.Failed,
        "pruned" => RunState.Pruned,
        "cancelled" => RunState.Cancelled,
        _ => throw new InvalidDataException($"unknown run status '{name}'"),
    };

    /// <summary>True for states no lab will change again: finished, diverged, failed, pruned and cancelled.</summary>
    public static bool IsFinal(this RunState state) =>
        state is RunState.Finished or RunState.Diverged or RunState.Failed or RunState.Pruned or RunState.Cancelled;

    /// <summary>True while a worker owns the run (starting or running).</summary>
    public static bool IsActive(this RunState state) => state is RunState.Starting or RunState.Running;
}
