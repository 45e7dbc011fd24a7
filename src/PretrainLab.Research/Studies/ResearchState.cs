using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Store;

namespace PretrainLab.Research.Studies;

/// <summary>A research study at one moment: its runs, its variants' results, the noise floor, the incumbent and the budget.</summary>
public sealed record ResearchState
{
    /// <summary>Every run of the study, without recipes.</summary>
    public required IReadOnlyList<RunRecord> Runs { get; init; }

    /// <summary>The baseline first, then experiments in the order they were proposed.</summary>
    public required IReadOnlyList<VariantResult> Variants { get; init; }

    /// <summary>The baseline's seed-to-seed spread.</summary>
    public required NoiseFloor NoiseFloor { get; init; }

    /// <summary>
    /// The best variant so far: the lowest mean objective among variants whose runs have all ended with at least one
    /// finished, however few seeds; what the search is currently following.
    /// </summary>
    public VariantResult? Leader { get; init; }

    /// <summary>
    /// The answer the study stands behind: the best variant with as many finished seeds as the agenda confirms with
    /// (the baseline's noise seeds when fewer) whose effect against the baseline clears the noise floor; otherwise the
    /// baseline itself. A leader on one lucky seed, or ahead by less than the noise, is not an incumbent.
    /// </summary>
    public required VariantResult Incumbent { get; init; }

    /// <summary>Spent against the budget.</summary>
    public required BudgetStatus Budget { get; init; }

    /// <summary>Runs queued or training.</summary>
    public int Pending => Runs.Count(r => !r.State.IsFinal());

    /// <summary>The variant labelled <paramref name="label"/>, or null.</summary>
    public VariantResult? Find(string label) => Variants.FirstOrDefault(v => v.Label == label);
}
