using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Tests;

public sealed class HalvingTests : IDisposable
{
    private const int Steps = 80;

    private readonly StudyFolder _folder = new(steps: Steps, checkpointInterval: 20, evalInterval: 10);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void SuccessiveHalvingPromotesTheBestFromTheirCheckpointsAndPrunesTheRest()
    {
        _folder.Write("asha.yaml", """
            name: asha
            baseline: tiny.yaml
            seeds: 1
            halving: {eta: 2, min_fraction: 0.25}
            variants:
              - {label: lr-3e-3, set: [optim.lr=3e-3]}
              - {label: lr-1e-5, set: [optim.lr=1e-5]}
              - {label: lr-1e-4, set: [optim.lr=1e-4]}
              - {label: diverge, set: [optim.lr=1000, optim.grad_clip=0, schedule.warmup_steps=0]}
            """);
        Assert.Equal(0, _folder.Plab("study", "new", "asha.yaml").ExitCode);
        using (var store = _folder.OpenStore())
            Assert.All(store.ListRuns(new RunQuery()), r => Assert.Equal(Steps / 4, r.TargetStep));

        var (code, stdout, stderr) = _folder.Plab("study", "run", "--slots", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("promoted run", stderr);

        using var lab = _folder.OpenStore();
        var runs = lab.ListRuns(new RunQuery()).ToDictionary(r => r.Label);
        Assert.Equal(RunState.Diverged, runs["diverge"].State);
        Assert.Equal(RunState.Pruned, runs["lr-1e-5"].State);
        Assert.Contains("successive halving: rank", runs["lr-1e-5"].Reason);
        Assert.True(runs["lr-1e-5"].Step < Steps);
        Assert.NotNull(runs["lr-1e-5"].ValBpb);
        foreach (var label in new[] { "baseline", "lr-3e-3" })
        {
            var run = runs[label];
            // Three rungs, each continued from the last one's checkpoint, follow the uninterrupted trajectory.
            Assert.Equal(2, run.Rung);
            Assert.Equal(3, run.Attempt);
            _folder.AssertIntact(lab, run, Steps, 10);
        }
        var report = _folder.Plab("study", "report").StdOut;
        Assert.Contains("diverged", report);
        Assert.Contains("pruned", report);
    }
}
