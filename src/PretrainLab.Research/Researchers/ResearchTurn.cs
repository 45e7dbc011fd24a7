namespace PretrainLab.Research.Researchers;

/// <summary>What one turn of a researcher did.</summary>
/// <param name="RunsQueued">Runs it added to the study.</param>
/// <param name="Done">True when it will propose nothing more (its own budget is spent, or it says it is finished).</param>
/// <param name="Reason">Why it is done, or what stopped its proposals, for the journal; null when nothing to say.</param>
public sealed record ResearchTurn(int RunsQueued, bool Done = false, string? Reason = null);
