namespace PretrainLab.Research.Studies;

/// <summary>Where a research loop stands, for a live display.</summary>
/// <param name="Done">Runs ended.</param>
/// <param name="Pending">Runs queued or training.</param>
/// <param name="Budget">Spent against the budget.</param>
/// <param name="Leader">The best variant so far, in short form, or null before any run ended.</param>
/// <param name="Finding">The latest finding, or null.</param>
/// <param name="Phase">What the loop is doing: <c>researching</c>, <c>confirming</c> or <c>done</c>.</param>
public sealed record ResearchProgress(int Done, int Pending, BudgetStatus Budget, string? Leader, string? Finding, string Phase);
