using PretrainLab.Data.Cleaning;

namespace PretrainLab.Data.Tests.Cleaning;

public sealed class NearDuplicateFinderTests
{
    [Fact]
    public void FindsEveryLightlyEditedCopy_AndMergesNoDistinctDocuments()
    {
        var random = new Random(11);
        var texts = Enumerable.Range(0, 300).Select(_ => TextCorpora.Document(random, 300)).ToList();
        // 60 copies of documents 0..59 with 2% of words replaced: Jaccard of 5-gram shingles about 0.8.
        var copyOf = new Dictionary<int, int>();
        for (int original = 0; original < 60; original++)
        {
            copyOf[texts.Count] = original;
            texts.Add(Edit(texts[original], 0.02, random));
        }

        var finder = new NearDuplicateFinder(threshold: 0.6, ngram: 5, permutations: 128, seed: 1);
        var clusters = finder.Find(texts);

        for (int i = 0; i < texts.Count; i++)
        {
            int expected = copyOf.TryGetValue(i, out int original) ? original : i;
            Assert.True(clusters.Representative[i] == expected, $"document {i}: representative {clusters.Representative[i]}, expected {expected}");
        }
        Assert.Equal(60, clusters.Duplicates);
        Assert.All(clusters.Pairs, p => Assert.True(p.Jaccard >= 0.6));
        Assert.Equal(60, clusters.Pairs.Count);
    }

    [Fact]
    public void ChainsJoinIntoOneCluster_RepresentedByTheEarliest()
    {
        var random = new Random(5);
        string a = TextCorpora.Document(random, 400);
        string b = Edit(a, 0.01, random);
        string c = Edit(b, 0.01, random);
        string other = TextCorpora.Document(random, 400);
        var clusters = new NearDuplicateFinder(0.7, 5, 128, seed: 2).Find([other, c, a, b]);
        Assert.Equal([0, 1, 1, 1], clusters.Representative);
    }

    [Fact]
    public void DocumentsWithoutWords_AreNeverNearDuplicates()
    {
        var clusters = new NearDuplicateFinder(0.5, 5, 64, seed: 2).Find(["...", "...", "!!!"]);
        Assert.Equal([0, 1, 2], clusters.Representative);
        Assert.Equal(0, clusters.CandidatePairs);
    }

    [Fact]
    public void SameSeedSameClusters()
    {
        var random = new Random(21);
        var texts = Enumerable.Range(0, 50).Select(_ => TextCorpora.Document(random, 100)).ToList();
        texts.AddRange(texts.Take(10).Select(t => Edit(t, 0.03, random)).ToList());
        var first = new NearDuplicateFinder(0.5, 5, 128, seed: 7).Find(texts);
        var second = new NearDuplicateFinder(0.5, 5, 128, seed: 7).Find(texts);
        Assert.Equal(first.Representative, second.Representative);
        Assert.Equal(first.Pairs, second.Pairs);
    }

    private static string Edit(string text, double share, Random random)
    {
        var words = text.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            if (random.NextDouble() < share)
                words[i] = "zz" + random.Next(1_000_000);
        }
        return string.Join(' ', words);
    }
}
