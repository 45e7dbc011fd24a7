using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Tests.Analysis;

public sealed class ParameterImportanceTests
{
    [Fact]
    public void AKnobThatMovesTheMetricExplainsMoreThanOneThatDoesNotAndThanTheSeed()
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
        Assert.Equal(["optim.lr", "optim.weight_decay", "seed"], importance.Select(k => k.Knob).Take(3));
        var lr = importance[0];
        Assert.True(lr.EtaSquared > 0.99, $"η² {lr.EtaSquared}");
        Assert.Equal("0.003", lr.Best);
        Assert.Equal(2, lr.Levels.Count);
        Assert.Equal(1.802, lr.Levels["0.003"], 10);
        Assert.True(importance.Single(k => k.Knob == "seed").EtaSquared < 0.01);
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
