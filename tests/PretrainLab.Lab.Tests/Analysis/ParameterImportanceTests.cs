using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Tests.Analysis;

public sealed class ParameterImportanceTests
{
    [Fact]
    public void AKnobThatMovesTheMetricExplainsMostAndOneThatDoesNotExplainsLessThanTheSeed()
    {
        var runs = new List<RunRecord>();
        foreach (var seed in new[] { 1L, 2L, 3L })
        {
            var noise = seed * 0.001;
            runs.Add(RunRecords.Finished("baseline", seed, 2.00 + noise));
            runs.Add(RunRecords.Finished("lr", seed, 1.80 + noise, new Dictionary<string, string> { ["optim.lr"] = "0.003" }));
            runs.Add(RunRecords.Finished("wd", seed, 2.00 + noise, new Dictionary<string, string> { ["optim.weight_decay"] = "0" }));
        }
        runs.Add(RunRecords.Finished("diverged", 1, 9.0, new Dictionary<string, string> { ["optim.lr"] = "1000" }, RunState.Diverged));

        var importance = ParameterImportance.Of(runs, "val_bpb");
        Assert.Equal(["optim.lr", "seed", "optim.weight_decay"], importance.Select(k => k.Knob));
        var lr = importance[0];
        Assert.True(lr.EtaSquared > 0.99, $"η² {lr.EtaSquared}");
        Assert.Equal("0.003", lr.Best);
        Assert.Equal(2, lr.Levels.Count);
        Assert.Equal(1.802, lr.Levels["0.003"], 10);
        Assert.True(importance.Single(k => k.Knob == "seed").EtaSquared < 0.01);
        Assert.True(importance.Single(k => k.Knob == "optim.weight_decay").EtaSquared < 1e-12);
    }

    [Fact]
    public void InAOneKnobAtATimeDesignEachKnobKeepsItsOwnEffect()
    {
        // One strong and one weak ablation of the same baseline: marginal means would credit the weak knob's
        // "baseline" level with the strong knob's runs; the joint fit does not.
        var runs = new List<RunRecord>();
        foreach (var seed in new[] { 1L, 2L })
        {
            runs.Add(RunRecords.Finished("baseline", seed, 3.00 + seed * 0.001));
            runs.Add(RunRecords.Finished("strong", seed, 2.50 + seed * 0.001, new Dictionary<string, string> { ["optim.lr"] = "0.003" }));
            runs.Add(RunRecords.Finished("weak", seed, 2.98 + seed * 0.001, new Dictionary<string, string> { ["model.activation"] = "relu2" }));
        }
        var importance = ParameterImportance.Of(runs, "val_bpb").ToDictionary(k => k.Knob);
        Assert.Equal(-0.5, importance["optim.lr"].Levels["0.003"] - importance["optim.lr"].Levels["baseline"], 9);
        Assert.Equal(-0.02, importance["model.activation"].Levels["relu2"] - importance["model.activation"].Levels["baseline"], 9);
        Assert.Equal("relu2", importance["model.activation"].Best);
    }

    [Fact]
    public void ComputeCurveCountsEveryEndedRunButOnlyFinishedOnesForTheBest()
    {
        var runs = new[]
        {
            RunRecords.Finished("a", 1, 2.0),
            RunRecords.Finished("b", 1, 1.0, state: RunState.Pruned),
            RunRecords.Finished("c", 1, 1.5),
        };
        var curve = StudyAnalysis.ComputeCurve(runs, "val_bpb");
        Assert.Equal([1e9, 2e9, 3e9], curve.Select(p => p.Flops));
        Assert.Equal([2.0, 2.0, 1.5], curve.Select(p => p.Best!.Value));
        Assert.Equal("c", curve[^1].BestLabel);
    }
}
