using PretrainLab.Data.Mixtures;

namespace PretrainLab.Data.Tests.Mixtures;

public sealed class MixtureSamplerTests
{
    private static MixtureComponent Component(string name, double weight, int documents, int seed)
    {
        var random = new Random(seed);
        return new MixtureComponent(name, weight, Enumerable.Range(0, documents).Select(_ => (long)random.Next(50, 500)).ToArray());
    }

    [Fact]
    public void WithoutATarget_TheScarcestSourceSetsTheTotal_AndSharesMeetTheWeights()
    {
        var a = Component("a", 3, 4000, 1);
        var b = Component("b", 1, 500, 2);
        var (order, shares) = MixtureSampler.Sample([a, b], targetTokens: null, seed: 9);

        long bTotal = b.DocumentTokens.Sum();
        // b limits: T = bTotal / 0.25; it gives (almost) everything, a gives three times as much.
        Assert.InRange(shares[1].Tokens, bTotal - 500, bTotal);
        Assert.InRange(shares[0].Tokens, 3 * bTotal - 500, 3 * bTotal + 500);
        Assert.InRange(shares[0].Share, 0.74, 0.76);
        Assert.All(shares, s => Assert.Equal(1, s.Epochs));
        Assert.Equal(order.Count, order.Distinct().Count());
        Assert.Equal(shares.Sum(s => s.Documents), order.Count);
    }

    [Fact]
    public void WithATarget_SmallSourcesAreRepeatedInFreshOrders()
    {
        var a = Component("a", 1, 1000, 3);
        var b = Component("b", 1, 20, 4);
        long target = 2 * a.DocumentTokens.Sum() / 2;
        var (order, shares) = MixtureSampler.Sample([a, b], target, seed: 9);
        Assert.InRange(shares[1].Share, 0.49, 0.51);
        Assert.True(shares[1].Epochs > 10, $"b should be repeated, epochs {shares[1].Epochs}");
        Assert.InRange(shares[0].Tokens + shares[1].Tokens, target - 1000, target + 1000);
        var bPicks = order.Where(p => p.Source == 1).ToList();
        Assert.True(bPicks.Count > 20);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    [InlineData(0.05)]
    public void TokenSharesAreWithinOneDocumentOfTheWeights(double weightOfB)
    {
        var a = Component("a", 1 - weightOfB, 3000, 5);
        var b = Component("b", weightOfB, 3000, 6);
        var c = Component("c", 0.5, 3000, 7) with { Weight = 0.5 };
        var (_, shares) = MixtureSampler.Sample([a, b, c], 200_000, seed: 1);
        double total = shares.Sum(s => s.Tokens);
        var weights = new[] { a.Weight, b.Weight, c.Weight }.Select(w => w / (a.Weight + b.Weight + c.Weight)).ToArray();
        for (int s = 0; s < 3; s++)
            Assert.InRange(shares[s].Tokens, weights[s] * 200_000 - 1, weights[s] * 200_000 + 500);
        Assert.InRange(total, 199_999, 201_500);
    }

    [Fact]
    public void SameSeedSameMixture_OtherSeedOtherOrder()
    {
        var parts = new[] { Component("a", 1, 300, 1), Component("b", 2, 300, 2) };
        var first = MixtureSampler.Sample(parts, null, seed: 4).Order;
        var again = MixtureSampler.Sample(parts, null, seed: 4).Order;
        var other = MixtureSampler.Sample(parts, null, seed: 5).Order;
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void ASourceWithoutDocuments_IsLeftOutAndTheOthersRenormalised()
    {
        var (_, shares) = MixtureSampler.Sample([Component("a", 1, 100, 1), new MixtureComponent("empty", 1, [])], null, seed: 1);
        Assert.Equal(1, shares[0].Weight);
        Assert.Equal(0, shares[1].Tokens);
        Assert.Equal(100, shares[0].Documents);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonPositiveWeights_Throw(double weight) =>
        Assert.Throws<ArgumentException>(() => MixtureSampler.Sample([new MixtureComponent("a", weight, [1])], null, 0));
}
