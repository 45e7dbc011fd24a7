namespace PretrainLab.Lab.Runs;

/// <summary>
/// How a lab runs a recipe without changing what it trains: the kernel threads it was given and a step to pause
/// at. Neither changes the trajectory, so neither is part of the recipe.
/// </summary>
public sealed record RunControl
{
    /// <summary>Kernel threads, replacing the recipe's <c>train.threads</c>; null keeps the recipe's.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Stop after this step with a checkpoint and a validation measurement (status <c>paused</c>), for a
    /// successive-halving rung; the schedule still follows the recipe's full budget, so a resumed run continues
    /// the same trajectory. Null trains to the budget.
    /// </summary>
    public long? PauseAtStep { get; init; }
}
