using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Scheduling;

/// <summary>What one <c>plab study run</c> did.</summary>
/// <param name="Interrupted">True when it stopped on request before the study was done.</param>
/// <param name="Launched">Worker processes it started.</param>
/// <param name="Recovered">Orphaned or crashed runs it put back in the queue.</param>
/// <param name="States">How many of the study's runs are in each state at the end.</param>
public sealed record StudyRunResult(bool Interrupted, int Launched, int Recovered, IReadOnlyDictionary<RunState, int> States);
