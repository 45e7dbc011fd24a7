namespace PretrainLab.Research.Studies;

/// <summary>How a session of the research loop ended.</summary>
/// <param name="Interrupted">True when it stopped on request before the study was done; a rerun continues it.</param>
/// <param name="Reason">Why the researcher stopped proposing, or null.</param>
/// <param name="State">The study at the end.</param>
public sealed record ResearchOutcome(bool Interrupted, string? Reason, ResearchState State);
