using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Research.Studies;

/// <summary>What a run will spend, known from its recipe before it starts.</summary>
/// <param name="Tokens">Training tokens its budget allows.</param>
/// <param name="Flops">Training FLOPs of those tokens.</param>
/// <param name="Parameters">The model's N in the FLOP count (weights that multiply activations, the head once).</param>
public readonly record struct RunCost(double Tokens, double Flops, long Parameters)
{
    /// <summary>
    /// The planned cost of <paramref name="recipe"/>: its budget turned into steps as the trainer will (a FLOP budget is
    /// rounded up to whole steps), then into tokens and FLOPs; null tokens and FLOPs for a wall-clock budget, which is
    /// known only once run.
    /// </summary>
    public static RunCost Of(Recipe recipe)
    {
        var plan = RunPlan.From(recipe);
        var tokensPerStep = (long)plan.Options.BatchSize * plan.Options.GradAccum * plan.Model.BlockSize;
        var flopsPerToken = plan.Model.TrainingFlopsPerToken;
        var steps = plan.Options.Budget.TotalSteps(tokensPerStep, flopsPerToken) ?? 0;
        var tokens = (double)steps * tokensPerStep;
        return new RunCost(tokens, tokens * flopsPerToken, plan.Model.MatmulParameters);
    }
}
