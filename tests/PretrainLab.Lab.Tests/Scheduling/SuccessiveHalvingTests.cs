using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;
using PretrainLab.Lab.Tests.Analysis;

namespace PretrainLab.Lab.Tests.Scheduling;

public sealed class SuccessiveHalvingTests
{
    private static readonly IReadOnlyList<long> Rungs = [25, 50, 100];

    private static SuccessiveHalving Halving(Func<RunRecord, long, double?>? objectiveAt = null) =>
        new(new HalvingSpec(2, 0.25), "val_bpb", "baseline", _ => Rungs, objectiveAt ?? ((_, _) => null));

    private static RunRecord Paused(string label, long seed, double bpb, long rung = 0) =>
        RunRecords.Finished(label, seed, bpb, state: RunState.Paused) with { Rung = rung, Step = Rungs[(int)rung] };

    [Fact]
    public void AVariantIsPromotedOnlyWhenItRanksInTheTopOverEtaOfItsRung()
    {
        var halving = Halving();
        // Alone at rung 0, a variant cannot be in the top ⌊1/2⌋ = 0.
        Assert.Empty(halving.Decide([Paused("a", 1, 2.0)], idle: false));

        var runs = new[] { Paused("a", 1, 2.0), Paused("a", 2, 2.1), Paused("b", 1, 1.5), Paused("b", 2, 1.6) };
        var decisions = halving.Decide(runs, idle: false);
        // Both seeds of the better variant move together, to rung 1 pausing at step 50.
        Assert.Equal([("b", 1L), ("b", 2L)], decisions.Select(d => (d.Run.Label, d.Run.Seed)));
        Assert.All(decisions, d => Assert.Equal((true, 1L, (long?)50), (d.Promote, d.NextRung, d.TargetStep)));
    }

    [Fact]
    public void TheBaselineIsAlwaysPromotedAndTheLastRungRunsTheFullBudget()
    {
        var decisions = Halving().Decide([Paused("baseline", 1, 9.0, rung: 1)], idle: false);
        var d = Assert.Single(decisions);
        Assert.Equal((true, 2L, (long?)null), (d.Promote, d.NextRung, d.TargetStep));
        Assert.Contains("always promoted", d.Reason);
    }

    [Fact]
    public void ADivergedSeedRanksItsVariantLastAndWhenIdleTheRestArePruned()
    {
        var runs = new[]
        {
            Paused("a", 1, 1.0),
            RunRecords.Finished("a", 2, 0, state: RunState.Diverged) with { ValBpb = null },
            Paused("b", 1, 2.0),
            Paused("b", 2, 2.0),
            Paused("c", 1, 3.0),
            Paused("c", 2, 3.0),
        };
        var halving = Halving();
        var promoted = halving.Decide(runs, idle: false);
        Assert.All(promoted, d => Assert.Equal("b", d.Run.Label));

        // Later b has finished (its rung-0 score comes from its metric series); nothing else is left to run.
        var later = runs.Select(r => r.Label == "b" ? r with { State = RunState.Finished, Rung = 2 } : r).ToList();
        var pruned = Halving((r, step) => r.Label == "b" && step == 25 ? 2.0 : null).Decide(later, idle: true);
        Assert.All(pruned, d => Assert.False(d.Promote));
        Assert.Equal(["a", "c", "c"], pruned.Select(d => d.Run.Label));
        Assert.Contains("cannot be promoted", pruned[0].Reason);
        Assert.Contains("rank 2 of 3 at rung 0", pruned[1].Reason);
    }

    [Fact]
    public void RungsArePowersOfEtaEndingAtTheFullBudget()
    {
        Assert.Equal([1.0 / 9, 1.0 / 3, 1.0], new HalvingSpec(3, 1.0 / 9).Fractions());
        Assert.Equal([0.25, 0.5, 1.0], new HalvingSpec(2, 0.25).Fractions());
        Assert.Equal([1.0], new HalvingSpec(2, 1).Fractions());
    }
}
