using PretrainLab.Engine.Compute;
using PretrainLab.Lab.Bench;

namespace PretrainLab.Lab.Tests.Bench;

public sealed class EngineBenchmarkTests
{
    [Fact]
    public void TinyRunReportsConsistentRatesAndPhases()
    {
        var ceiling = new FmaProbeResult(256, 1, 100);
        var r = EngineBenchmark.Run(BenchPreset.Tiny, new Parallelism(1), steps: 2, warmup: 1, warmupSeconds: 0, ceiling);

        Assert.Equal(2, r.StepSeconds.Count);
        Assert.Equal(1, r.Warmup);
        Assert.All(r.StepSeconds, s => Assert.True(s > 0));
        Assert.Equal(834_304, r.Parameters);
        var tokensPerStep = 12 * 64;
        Assert.Equal(tokensPerStep * 2 / r.StepSeconds.Sum(), r.TokensPerSecondOverall, tolerance: 1e-6);
        // Median of two rates is their mean.
        Assert.Equal(r.StepSeconds.Average(s => tokensPerStep / s), r.TokensPerSecond, tolerance: 1e-6);
        Assert.Equal(BenchPreset.Tiny.Config.TrainingFlopsPerToken * r.TokensPerSecond / 1e9, r.Gflops, tolerance: 1e-9);
        Assert.Equal(r.Gflops / 100, r.CeilingFraction, tolerance: 1e-12);
        var ph = r.PhaseSeconds;
        Assert.Equal(r.StepSeconds.Average(), ph.Forward + ph.Backward + ph.Clip + ph.Optimizer, tolerance: 1e-9);
        Assert.True(r.PeakRssBytes >= r.ModelBytes, $"peak RSS {r.PeakRssBytes} below model bytes {r.ModelBytes}");
    }

    [Fact]
    public void WarmupRunsUntilBothTheStepsAndTheSecondsHavePassed()
    {
        var ceiling = new FmaProbeResult(256, 1, 100);
        // A tiny step takes ~25-40 ms on one thread here: 0.3 s is several steps, more than the one asked for.
        var r = EngineBenchmark.Run(BenchPreset.Tiny, new Parallelism(1), steps: 1, warmup: 1, warmupSeconds: 0.3, ceiling);
        Assert.True(r.WarmupSeconds >= 0.3, $"warmed up {r.WarmupSeconds} s");
        Assert.True(r.Warmup > 1, $"{r.Warmup} warm-up steps");
        var stepsFirst = EngineBenchmark.Run(BenchPreset.Tiny, new Parallelism(1), steps: 1, warmup: 4, warmupSeconds: 0, ceiling);
        Assert.Equal(4, stepsFirst.Warmup);
    }
}
