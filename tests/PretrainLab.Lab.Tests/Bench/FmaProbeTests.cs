using PretrainLab.Engine.Compute;

namespace PretrainLab.Lab.Tests.Bench;

public sealed class FmaProbeTests
{
    [Fact]
    public void ProbeReturnsAPositiveRateForTheThreadsAsked()
    {
        var result = FmaProbe.Measure(threads: 1, seconds: 0.05);
        Assert.Equal(1, result.Threads);
        Assert.Contains(result.VectorBits, new[] { 256, 512 });
        // Even an emulated FMA on a busy machine does better than 0.1 GFLOP/s; a real core does hundreds.
        Assert.True(result.Gflops > 0.1, $"FMA ceiling {result.Gflops} GFLOP/s");
    }
}
