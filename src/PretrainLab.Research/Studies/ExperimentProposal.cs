namespace PretrainLab.Research.Studies;

/// <summary>An experiment a researcher asks for: a hypothesis and the knob values that test it.</summary>
/// <param name="Hypothesis">Why it might help, in a sentence.</param>
/// <param name="Changes">Knob values, <c>dotted.path</c> to value text; keys the agenda does not list are refused.</param>
/// <param name="Seeds">Replicates, or null for the agenda's experiment seeds.</param>
/// <param name="Budget">
/// A smaller per-run budget in the per-run budget's own unit (a cheap look), as <c>(unit, amount)</c>; null for the
/// agenda's.
/// </param>
public sealed record ExperimentProposal(
    string Hypothesis, IReadOnlyDictionary<string, string> Changes, int? Seeds = null, (string Unit, double Amount)? Budget = null);
