using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Tests.Runs;

public sealed class PauseTests : IDisposable
{
    private readonly RunFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void APausedRunIsEvaluatedAtItsRungAndContinuesOntoTheFullBudgetsTrajectory()
    {
        var straight = TrainingRun.Train(_fixture.Recipe(), _fixture.RunDir("straight"));

        var dir = _fixture.RunDir("rungs");
        var rung = TrainingRun.Train(_fixture.Recipe(), dir, control: new RunControl { PauseAtStep = 7, Threads = 1 });
        Assert.Equal(TrainingRun.PausedStatus, rung.Status);
        Assert.Equal(7, rung.Steps);
        Assert.Equal(1, rung.Threads);
        Assert.NotNull(rung.ValLoss);

        // Resuming with an earlier pause point pauses at once; with none, it runs to the budget.
        Assert.Equal(7, TrainingRun.Resume(dir, control: new RunControl { PauseAtStep = 5 }).Steps);
        var next = TrainingRun.Resume(dir, control: new RunControl { PauseAtStep = 13 });
        Assert.Equal((TrainingRun.PausedStatus, 13L), (next.Status, next.Steps));
        var done = TrainingRun.Resume(dir);
        Assert.Equal("finished", done.Status);
        Assert.Equal(straight.ValLoss, done.ValLoss);
        Assert.Equal(straight.TrainLoss, done.TrainLoss);
    }
}
