using PretrainLab.Lab.Analysis;

namespace PretrainLab.Lab.Tests.Analysis;

public sealed class EffectEstimatorTests
{
    private static SeedSample Sample(string label, params double[] values) =>
        new(label, values.Select((v, i) => (Seed: (long)i + 1, v)).ToDictionary(x => x.Seed, x => x.v));

    [Fact]
    public void PairedSeedsGiveTheTIntervalOfTheDifferences()
    {
        var a = Sample("a", 2.00, 2.10, 1.95, 2.05);
        var b = Sample("b", 1.90, 2.01, 1.84, 1.96);
        var e = EffectEstimator.Compare(a, b, "val_bpb", noiseSigma: a.StandardDeviation);
        // Differences -0.10, -0.09, -0.11, -0.09: mean -0.0975, sd 0.0095743, t(0.975, 3) = 3.182446.
        Assert.True(e.Paired);
        Assert.Equal(-0.0975, e.Difference!.Value, 10);
        var half = 3.182446305 * 0.0095742711 / 2;
        Assert.Equal(-0.0975 - half, e.Low!.Value, 6);
        Assert.Equal(-0.0975 + half, e.High!.Value, 6);
        Assert.Equal(3, e.DegreesOfFreedom);
        // Seed noise σ ≈ 0.0645, so 2σ ≈ 0.129 > 0.0975: a real but small effect is within the noise floor.
        Assert.False(e.ClearsNoiseFloor);
        Assert.Equal(EffectEstimator.WithinNoise, e.Verdict);
    }

    [Fact]
    public void AnEffectClearsTheNoiseFloorWhenItsIntervalExcludesZeroAndItExceedsTwoSigma()
    {
        var a = Sample("a", 2.00, 2.02, 1.99);
        var b = Sample("b", 1.80, 1.83, 1.78);
        var better = EffectEstimator.Compare(a, b, "val_bpb", noiseSigma: a.StandardDeviation);
        Assert.True(better.ClearsNoiseFloor);
        Assert.Equal(EffectEstimator.Better, better.Verdict);
        var worse = EffectEstimator.Compare(b, a, "val_bpb", noiseSigma: a.StandardDeviation);
        Assert.Equal(EffectEstimator.Worse, worse.Verdict);
        Assert.True(worse.Low > 0);
    }

    [Fact]
    public void DifferentSeedsFallBackToWelch()
    {
        var a = new SeedSample("a", new Dictionary<long, double> { [1] = 2.0, [2] = 2.1, [3] = 1.9 });
        var b = new SeedSample("b", new Dictionary<long, double> { [7] = 1.5, [8] = 1.7 });
        var e = EffectEstimator.Compare(a, b, "val_bpb", noiseSigma: 0.1);
        Assert.False(e.Paired);
        Assert.Equal(1.6 - 2.0, e.Difference!.Value, 10);
        // va = 0.01/3, vb = 0.02/2: df = (va+vb)² / (va²/2 + vb²/1) = 1.7778 / 1.05556 … ≈ 1.6842.
        var va = 0.01 / 3;
        var vb = 0.02 / 2;
        Assert.Equal(Math.Pow(va + vb, 2) / (va * va / 2 + vb * vb / 1), e.DegreesOfFreedom!.Value, 10);
        Assert.Equal(StudentT.Quantile(0.975, e.DegreesOfFreedom!.Value) * Math.Sqrt(va + vb), e.High!.Value - e.Difference!.Value, 10);
    }

    [Fact]
    public void ASingleSeedNeverCountsAsAnImprovement()
    {
        var e = EffectEstimator.Compare(Sample("a", 2.0), Sample("b", 1.0), "val_bpb", noiseSigma: null);
        Assert.Equal(-1.0, e.Difference);
        Assert.Null(e.Low);
        Assert.False(e.ClearsNoiseFloor);
        Assert.Equal(EffectEstimator.TooFewSeeds, e.Verdict);
    }
}
