using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Store;

/// <summary>A run to add to a study: what a study file, a grid or a researcher proposes.</summary>
/// <param name="Label">The variant it belongs to (e.g. <c>baseline</c>, <c>lr=3e-3</c>); its seed replicates share it.</param>
/// <param name="Recipe">The validated recipe, seed included.</param>
/// <param name="Knobs">The settings that make the variant, as <c>dotted.path</c> to value text (empty for the baseline).</param>
/// <param name="RunDirectory">Absolute folder the run trains into.</param>
/// <param name="TargetStep">The step to pause at for a successive-halving rung; null trains to the recipe's budget.</param>
public sealed record NewRun(
    string Label, Recipe Recipe, IReadOnlyDictionary<string, string> Knobs, string RunDirectory, long? TargetStep = null)
{
    /// <summary>
    /// Hash of the recipe with its seed cleared: equal for the seed replicates of one variant, so comparisons
    /// group and pair runs by it.
    /// </summary>
    public static string ConfigHash(Recipe recipe) => (recipe with { Seed = 0 }).ShortHash;
}
