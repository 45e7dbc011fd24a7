using PretrainLab.Data.Splits;

namespace PretrainLab.Data.Tests.Splits;

public sealed class SplitAssignerTests
{
    private static readonly string[] Texts = Enumerable.Range(0, 20_000).Select(i => $"document number {i}").ToArray();

    [Fact]
    public void SharesFollowTheFractions()
    {
        var assigner = new SplitAssigner(0.1, 0.05, seed: 1);
        var counts = Texts.GroupBy(t => assigner.Assign(t)).ToDictionary(g => g.Key, g => g.Count());
        // Binomial standard errors: about 0.2% and 0.15% of 20,000.
        Assert.InRange(counts[DatasetSplit.Val] / 20_000.0, 0.09, 0.11);
        Assert.InRange(counts[DatasetSplit.Test] / 20_000.0, 0.042, 0.058);
    }

    [Fact]
    public void AssignmentDependsOnlyOnTextAndSeed()
    {
        var a = new SplitAssigner(0.1, 0.1, seed: 42);
        var b = new SplitAssigner(0.1, 0.1, seed: 42);
        var reversed = Texts.Reverse().Select(t => (t, b.Assign(t))).ToDictionary();
        Assert.All(Texts, t => Assert.Equal(a.Assign(t), reversed[t]));

        var other = new SplitAssigner(0.1, 0.1, seed: 43);
        int moved = Texts.Count(t => a.Assign(t) != other.Assign(t));
        Assert.InRange(moved, 2_000, 8_000);
    }

    [Fact]
    public void AKnownDocumentKeepsItsSplit()
    {
        // Pins the hash, checked against a Python transcription of it (FNV-1a over UTF-16 seeded by
        // SplitMix64(seed), SplitMix64 finish, top 53 bits): changing it would silently move documents
        // between the splits of existing datasets.
        var assigner = new SplitAssigner(0.5, 0, seed: 1337);
        Assert.Equal(0.06343904942960399, assigner.Position("Hello, world."), 15);
        Assert.Equal(DatasetSplit.Val, assigner.Assign("Hello, world."));
    }

    [Fact]
    public void ClustersTakeTheirRepresentativesSplit()
    {
        var assigner = new SplitAssigner(0.3, 0.3, seed: 5);
        string[] texts = Texts[..3000];
        // Every document i > 0 with i % 3 != 0 is a near duplicate of i - i % 3.
        int[] representative = Enumerable.Range(0, texts.Length).Select(i => i - i % 3).ToArray();
        var splits = assigner.Assign(texts, representative);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(assigner.Assign(texts[i - i % 3]), splits[i]);
        Assert.True(Enumerable.Range(0, texts.Length).Any(i => assigner.Assign(texts[i]) != splits[i]), "some members alone would have gone elsewhere");
    }

    [Theory]
    [InlineData(-0.1, 0)]
    [InlineData(0.5, 0.5)]
    [InlineData(double.NaN, 0)]
    public void BadFractions_Throw(double val, double test) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitAssigner(val, test, 0));
}
