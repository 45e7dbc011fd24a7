using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Tests;

public sealed class EarlyStoppingTests : IDisposable
{
    private const int Steps = 1000;

    private readonly StudyFolder _folder = new(steps: Steps, checkpointInterval: 100, evalInterval: 100, width: StudyFolder.HeavyWidth);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AVariantBelowTheMedianOfTheFinishedOnesIsStoppedWithAllItsSeeds()
    {
        _folder.Write("stop.yaml", """
            name: stop
            baseline: tiny.yaml
            seeds: 1
            early_stopping: {min_fraction: 0.25, min_finished: 3}
            variants:
              - {label: lr-3e-3, set: [optim.lr=3e-3]}
              - {label: lr-2e-3, set: [optim.lr=2e-3]}
              - {label: lr-1e-5, set: [optim.lr=1e-5]}
            """);
        Assert.Equal(0, _folder.Plab("study", "new", "stop.yaml").ExitCode);
        var (code, _, stderr) = _folder.Plab("study", "run", "--slots", "1", "--heartbeat", "0.05", "--poll", "0.05");
        Assert.True(code == 0, stderr);
        Assert.Contains("stopping variant lr-1e-5 early: median stopping rule", stderr);

        using var store = _folder.OpenStore();
        var runs = store.ListRuns(new RunQuery()).ToDictionary(r => r.Label);
        Assert.Equal(RunState.Pruned, runs["lr-1e-5"].State);
        Assert.InRange(runs["lr-1e-5"].Step, Steps / 4, Steps - 1);
        Assert.All(runs.Values.Where(r => r.Label != "lr-1e-5"), r => Assert.Equal(RunState.Finished, r.State));
    }
}
