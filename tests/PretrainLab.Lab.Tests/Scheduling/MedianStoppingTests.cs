using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;
using PretrainLab.Lab.Tests.Analysis;

namespace PretrainLab.Lab.Tests.Scheduling;

public sealed class MedianStoppingTests
{
    // Every run's objective at steps 100..400 is its level plus a falling curve.
    private static IReadOnlyList<MetricPoint> Curve(double level, int upTo) =>
        Enumerable.Range(1, upTo / 100).Select(i => new MetricPoint(i * 100, ValBpb: level + 1.0 / i)).ToList();

    private static MedianStopping Rule(Dictionary<long, IReadOnlyList<MetricPoint>> series) =>
        new(new EarlyStoppingSpec(0.25, 3), "val_bpb", "baseline", r => series[r.Id]);

    [Fact]
    public void AVariantWorseThanTheFinishedMedianAtTheSameStepIsStopped()
    {
        var series = new Dictionary<long, IReadOnlyList<MetricPoint>>();
        var runs = new List<RunRecord>();
        foreach (var (label, level) in new[] { ("baseline", 2.0), ("a", 1.9), ("b", 2.1) })
        {
            var run = RunRecords.Finished(label, 1, level);
            series[run.Id] = Curve(level, 400);
            runs.Add(run);
        }
        var good = RunRecords.Finished("good", 1, 0, state: RunState.Running) with { TotalSteps = 400 };
        var bad = RunRecords.Finished("bad", 1, 0, state: RunState.Running) with { TotalSteps = 400 };
        series[good.Id] = Curve(1.95, 200);
        series[bad.Id] = Curve(2.5, 200);
        runs.AddRange([good, bad]);

        var decision = Assert.Single(Rule(series).Decide(runs));
        Assert.Equal("bad", decision.Label);
        Assert.Contains("worse than the median 2.5000 of 3 finished variants", decision.Reason);
    }

    [Fact]
    public void NothingIsJudgedTooEarlyOrWithTooFewFinishedVariants()
    {
        var series = new Dictionary<long, IReadOnlyList<MetricPoint>>();
        var finished = RunRecords.Finished("a", 1, 1.0);
        series[finished.Id] = Curve(1.0, 400);
        var bad = RunRecords.Finished("bad", 1, 0, state: RunState.Running) with { TotalSteps = 400 };
        series[bad.Id] = Curve(9, 400);
        Assert.Empty(Rule(series).Decide([finished, bad]));

        var others = Enumerable.Range(0, 3).Select(i => RunRecords.Finished($"f{i}", 1, 1.0)).ToList();
        foreach (var o in others)
            series[o.Id] = Curve(1.0, 400);
        var early = bad with { TotalSteps = 1000 };
        series[early.Id] = Curve(9, 200);
        Assert.Empty(Rule(series).Decide([.. others, early]));
    }
}
