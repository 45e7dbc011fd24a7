using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Scheduling;

/// <summary>What successive halving does with a paused run.</summary>
/// <param name="Run">The paused run.</param>
/// <param name="Promote">True to continue it at <paramref name="NextRung"/>; false to prune it.</param>
/// <param name="NextRung">The rung it goes on to (promotion only).</param>
/// <param name="TargetStep">The step it pauses at next, or null when the next rung is the full budget.</param>
/// <param name="Reason">Why, with its rank, for the journal and the run's reason.</param>
public sealed record HalvingDecision(RunRecord Run, bool Promote, long NextRung, long? TargetStep, string Reason);
