using PretrainLab.Data.Cleaning;

namespace PretrainLab.Data.Tests.Cleaning;

public sealed class MinHashTests
{
    [Fact]
    public void Shingles_IgnoreCasePunctuationAndSpacing()
    {
        var hasher = new MinHasher(16, ngram: 3, seed: 1);
        Assert.Equal(hasher.Shingles("The cat sat on the mat."), hasher.Shingles("the CAT, sat on\n\nthe mat!!"));
        Assert.Equal(4, hasher.Shingles("the cat sat on the mat").Length);
        Assert.Single(hasher.Shingles("two words"));
        Assert.Empty(hasher.Shingles(" ... !!! "));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public void Estimate_IsWithinFourStandardErrorsOfTheTrueJaccard(double jaccard)
    {
        // Sets of 2,000 distinct shingles sharing `common` of them: J = common / (4000 - common).
        const int Size = 2000, Permutations = 256;
        int common = (int)Math.Round(2 * Size * jaccard / (1 + jaccard));
        var random = new Random(17);
        var shared = Enumerable.Range(0, common).Select(_ => (ulong)random.NextInt64()).ToArray();
        ulong[] a = [.. shared, .. Enumerable.Range(0, Size - common).Select(_ => (ulong)random.NextInt64())];
        ulong[] b = [.. shared, .. Enumerable.Range(0, Size - common).Select(_ => (ulong)random.NextInt64())];
        Array.Sort(a);
        Array.Sort(b);
        double truth = MinHasher.Jaccard(a, b);
        Assert.Equal((double)common / (2 * Size - common), truth, 12);

        var hasher = new MinHasher(Permutations, ngram: 5, seed: 99);
        double estimate = MinHasher.EstimateJaccard(hasher.Signature(a), hasher.Signature(b));
        double standardError = Math.Sqrt(truth * (1 - truth) / Permutations);
        Assert.InRange(estimate, truth - 4 * standardError, truth + 4 * standardError);
    }

    [Fact]
    public void Estimate_TracksTheTrueJaccardOfEditedDocuments()
    {
        var hasher = new MinHasher(128, ngram: 5, seed: 3);
        var random = new Random(8);
        string[] words = TextCorpora.Words(random, 400);
        foreach (double editShare in new[] { 0.01, 0.03, 0.1, 0.3 })
        {
            string original = string.Join(' ', words);
            string edited = string.Join(' ', words.Select(w => random.NextDouble() < editShare ? "edit" + random.Next(1_000_000) : w));
            var a = hasher.Shingles(original);
            var b = hasher.Shingles(edited);
            double truth = MinHasher.Jaccard(a, b);
            double estimate = MinHasher.EstimateJaccard(hasher.Signature(a), hasher.Signature(b));
            Assert.InRange(estimate, truth - 4 * Math.Sqrt(truth * (1 - truth) / 128) - 0.01, truth + 4 * Math.Sqrt(truth * (1 - truth) / 128) + 0.01);
        }
    }

    [Fact]
    public void Jaccard_OfSortedSets()
    {
        Assert.Equal(2.0 / 4, MinHasher.Jaccard([1, 2, 3], [2, 3, 4]), 12);
        Assert.Equal(1, MinHasher.Jaccard([5], [5]));
        Assert.Equal(0, MinHasher.Jaccard([], []));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.8)]
    [InlineData(0.9)]
    public void Banding_RisesAroundTheThreshold(double threshold)
    {
        var banding = LshBanding.ForThreshold(threshold, 128);
        Assert.True(banding.Bands * banding.Rows <= 128);
        Assert.True(banding.CandidateProbability(threshold) >= LshBanding.TargetRecall, $"{banding} misses pairs at {threshold}");
        Assert.True(banding.CandidateProbability(threshold - 0.4) < 0.05, $"{banding} passes pairs far below {threshold}");
    }
}
