using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Researchers;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

/// <summary>
/// Stands in for training: ends each queued run at once with a metric computed from its recipe, so researchers can be
/// tested for what they propose and how they learn, in milliseconds.
/// </summary>
internal static class SyntheticLab
{
    /// <summary>
    /// A smooth landscape with a known optimum (lr 0.01, 2 layers, relu2, weight decay 0.05) and seed noise of
    /// <paramref name="noise"/>.
    /// </summary>
    public static double Landscape(Recipe recipe, double noise = 0.002)
    {
        var lr = Math.Log10(recipe.Optim.Lr) + 2;
        var seedNoise = noise * Math.Sin(recipe.Seed * 12.9898) * 1.7;
        return 2.0 + 0.3 * lr * lr + 0.04 * Math.Abs(recipe.Model.NLayer - 2)
            + (recipe.Model.Activation == Engine.Model.ActivationKind.Relu2 ? 0 : 0.03)
            + 4 * Math.Pow(recipe.Optim.WeightDecay - 0.05, 2) + seedNoise;
    }

    /// <summary>Ends every queued run of the study as finished (or diverged, when the objective is NaN).</summary>
    public static int FinishQueued(ResearchStudy study, Func<Recipe, double> objective)
    {
        var store = study.Store;
        var queued = store.ListRuns(new RunQuery { StudyId = study.Study.Id, States = [RunState.Queued] });
        foreach (var run in queued)
        {
            var recipe = Recipe.FromJson(store.GetRun(run.Id)!.Recipe!);
            var cost = RunCost.Of(recipe);
            var attempt = store.BeginAttempt(run.Id, run.Attempt, 1, "test")!.Value;
            Assert.True(store.ClaimAttempt(run.Id, attempt, Environment.ProcessId, "test"));
            var value = objective(recipe);
            Assert.True(store.CompleteAttempt(run.Id, attempt, new RunOutcome
            {
                State = double.IsNaN(value) ? RunState.Diverged : RunState.Finished,
                Step = 40,
                Tokens = (long)cost.Tokens,
                Flops = cost.Flops,
                ValBpb = double.IsNaN(value) ? null : value,
                ValLoss = double.IsNaN(value) ? null : value * Math.Log(2),
                WallSeconds = 1,
            }));
        }
        return queued.Count;
    }

    /// <summary>Runs a researcher to the budget on the synthetic landscape, <paramref name="slots"/> runs at a time; returns the turns taken.</summary>
    public static int Research(ResearchStudy study, IResearcher researcher, int slots, Func<Recipe, double>? objective = null)
    {
        objective ??= r => Landscape(r);
        FinishQueued(study, objective);
        for (var turn = 1; turn < 1000; turn++)
        {
            var result = researcher.ActAsync(study, study.State(), slots, CancellationToken.None).GetAwaiter().GetResult();
            if (FinishQueued(study, objective) == 0 && (result.Done || result.RunsQueued == 0))
                return turn;
        }
        throw new InvalidOperationException("the researcher never stopped");
    }
}
