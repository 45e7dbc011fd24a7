using System.Text.Json.Serialization;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Studies;

/// <summary>
/// Successive halving, run asynchronously (ASHA): every run starts at the first rung's budget; at each rung the
/// best 1/<see cref="Eta"/> of the variants that reached it go on to the next, continuing from their checkpoints.
/// </summary>
/// <param name="Eta">The promotion ratio, at least 2: the top 1/eta of a rung is promoted, and each rung is eta times longer.</param>
/// <param name="MinFraction">The first rung's share of the full budget, in (0, 1].</param>
public sealed record HalvingSpec(
    [property: JsonPropertyName("eta")] int Eta,
    [property: JsonPropertyName("min_fraction")] double MinFraction)
{
    /// <summary>
    /// The rungs as fractions of the full budget: <see cref="MinFraction"/> times powers of <see cref="Eta"/>, the last
    /// one 1.
    /// </summary>
    public IReadOnlyList<double> Fractions()
    {
        var fractions = new List<double>();
        // The tolerance keeps 1/9 * 9 from landing a hair below 1 and adding a rung.
        for (var f = MinFraction; f < 1 - 1e-9; f *= Eta)
            fractions.Add(f);
        fractions.Add(1);
        return fractions;
    }

    /// <summary>The step each rung ends at for <paramref name="recipe"/>; the last is its full budget.</summary>
    /// <exception cref="ArgumentException">The recipe has a wall-clock budget, whose step count is unknown in advance.</exception>
    public IReadOnlyList<long> RungSteps(Recipe recipe)
    {
        var plan = RunPlan.From(recipe);
        var tokensPerStep = (long)plan.Options.BatchSize * plan.Options.GradAccum * plan.Model.BlockSize;
        var total = plan.Options.Budget.TotalSteps(tokensPerStep, plan.Model.TrainingFlopsPerToken)
            ?? throw new ArgumentException("successive halving needs a steps, tokens or flops budget, not seconds");
        return Fractions().Select(f => Math.Clamp((long)Math.Ceiling(f * total), 1, total)).Distinct().ToList();
    }
}
