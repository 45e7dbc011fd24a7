using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// Proposes experiments for a research study. A researcher acts only through <see cref="ResearchStudy"/>, whose
/// fences check every proposal against the agenda and the budget; it never starts runs or touches files itself.
/// </summary>
public interface IResearcher
{
    /// <summary>Its name in the journal and reports: <c>random</c>, <c>tpe</c>, <c>hillclimb</c> or <c>llm</c>.</summary>
    string Name { get; }

    /// <summary>
    /// One turn: reads the study and proposes experiments for about <paramref name="capacity"/> free run slots (an
    /// experiment with more seeds than that may still be proposed; its runs wait their turn).
    /// </summary>
    /// <returns>What the turn did: runs queued, and whether the researcher has nothing more to try.</returns>
    Task<ResearchTurn> ActAsync(ResearchStudy study, ResearchState state, int capacity, CancellationToken cancellation);
}
