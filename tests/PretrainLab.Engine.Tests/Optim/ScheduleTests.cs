using PretrainLab.Engine.Optim;

namespace PretrainLab.Engine.Tests.Optim;

public class ScheduleTests
{
    [Fact]
    public void CosineWarmsUpLikeNanoGptAndEndsNearTheFloor()
    {
        var s = new CosineSchedule(1e-3, 100, 0.1);
        Assert.Equal(1e-3 * 1 / 101, s.At(0, 2000), 15);
        Assert.Equal(1e-3 * 100 / 101, s.At(99, 2000), 15);
        Assert.Equal(1e-3, s.At(100, 2000), 15);
        Assert.Equal(1e-4 + 0.5 * (1e-3 - 1e-4), s.At(1050, 2000), 12);
        Assert.InRange(s.At(1999, 2000), 1e-4, 1.001e-4);
        Assert.Equal(1e-4, s.At(2000, 2000), 15);
    }

    [Fact]
    public void LinearDecaysStraightToTheFloor()
    {
        var s = new LinearSchedule(1.0, 0, 0.0);
        Assert.Equal(1.0, s.At(0, 10));
        Assert.Equal(0.5, s.At(5, 10), 12);
        Assert.Equal(0.1, s.At(9, 10), 12);
    }

    [Fact]
    public void WarmupStableDecayHoldsThenCoolsDownOverTheLastFraction()
    {
        var s = new WarmupStableDecaySchedule(1.0, 10, 0.4, 0.0);
        Assert.Equal(1.0 / 11, s.At(0, 100), 12);
        Assert.Equal(1.0, s.At(10, 100));
        Assert.Equal(1.0, s.At(59, 100));
        Assert.Equal(1.0, s.At(60, 100));
        Assert.Equal(0.5, s.At(80, 100), 12);
        Assert.Equal(1.0 / 40, s.At(99, 100), 12);
    }

    [Fact]
    public void ConstantHoldsAfterWarmup()
    {
        var s = new ConstantSchedule(2.0, 3);
        Assert.Equal(0.5, s.At(0, 10));
        Assert.Equal(2.0, s.At(3, 10));
        Assert.Equal(2.0, s.At(1000, 10));
    }
}
