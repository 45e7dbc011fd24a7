using System.Runtime.InteropServices;
using PretrainLab.Data.Hashing;

namespace PretrainLab.Data.Cleaning;

/// <summary>
/// Near-duplicate detection: MinHash signatures over word n-gram shingles (<see cref="MinHasher"/>),
/// LSH banding to find candidate pairs (<see cref="LshBanding"/>), then the exact Jaccard similarity
/// of each candidate pair's shingle sets against the threshold. Matched pairs are joined into
/// clusters (union-find), each represented by its earliest document.
/// </summary>
/// <remarks>
/// Candidates already in the same cluster are not checked again, so a bucket of k copies costs
/// about k checks rather than k². Documents without any word are never near duplicates.
/// The shingle sets of all documents are kept in memory for the exact check (8 bytes per word).
/// </remarks>
public sealed class NearDuplicateFinder
{
    private readonly MinHasher _hasher;

    /// <summary>Sets up detection.</summary>
    /// <param name="threshold">Jaccard similarity at or above which two documents are near duplicates, in (0, 1).</param>
    /// <param name="ngram">Words per shingle.</param>
    /// <param name="permutations">MinHash signature length.</param>
    /// <param name="seed">Seed of the hash functions.</param>
    /// <param name="banding">The LSH banding; null chooses one for the threshold (<see cref="LshBanding.ForThreshold"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range, or the banding needs more entries than <paramref name="permutations"/>.</exception>
    public NearDuplicateFinder(double threshold, int ngram, int permutations, ulong seed, LshBanding? banding = null)
    {
        if (!(threshold > 0 && threshold < 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be strictly between 0 and 1.");
        _hasher = new MinHasher(permutations, ngram, seed);
        Threshold = threshold;
        Banding = banding ?? LshBanding.ForThreshold(threshold, permutations);
        if (Banding.Bands < 1 || Banding.Rows < 1 || Banding.Bands * Banding.Rows > permutations)
            throw new ArgumentOutOfRangeException(nameof(banding), Banding, $"Bands × rows must be between 1 and the {permutations} permutations.");
    }

    /// <summary>The Jaccard threshold.</summary>
    public double Threshold { get; }

    /// <summary>The LSH banding.</summary>
    public LshBanding Banding { get; }

    /// <summary>Clusters <paramref name="texts"/> by near duplication; shingling and signatures run in parallel.</summary>
    public NearDuplicateClusters Find(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int count = texts.Count;
        var shingles = new ulong[count][];
        var signatures = new uint[count][];
        Parallel.For(0, count, i =>
        {
            shingles[i] = _hasher.Shingles(texts[i]);
            signatures[i] = _hasher.Signature(shingles[i]);
        });

        var parent = new int[count];
        for (int i = 0; i < count; i++)
            parent[i] = i;
        var pairs = new List<NearDuplicatePair>();
        var checkedPairs = new HashSet<long>();
        long candidates = 0;
        var buckets = new Dictionary<ulong, List<int>>();
        for (int band = 0; band < Banding.Bands; band++)
        {
            buckets.Clear();
            for (int i = 0; i < count; i++)
            {
                if (shingles[i].Length == 0)
                    continue;
                ulong key = StableHash.OfSequence(signatures[i].AsSpan(band * Banding.Rows, Banding.Rows));
                ref var members = ref CollectionsMarshal.GetValueRefOrAddDefault(buckets, key, out _);
                members ??= [];
                members.Add(i);
            }
            foreach (var members in buckets.Values)
            {
                for (int b = 1; b < members.Count; b++)
                {
                    for (int a = 0; a < b; a++)
                    {
                        int first = members[a], second = members[b];
                        if (Find(parent, first) == Find(parent, second) || !checkedPairs.Add(((long)first << 32) | (uint)second))
                            continue;
                        candidates++;
                        double jaccard = MinHasher.Jaccard(shingles[first], shingles[second]);
                        if (jaccard >= Threshold)
                        {
                            pairs.Add(new NearDuplicatePair(first, second, jaccard));
                            Union(parent, first, second);
                        }
                    }
                }
            }
        }

        var representative = new int[count];
        for (int i = 0; i < count; i++)
            representative[i] = Find(parent, i);
        return new NearDuplicateClusters(representative, pairs, candidates, Banding);
    }

    private static int Find(int[] parent, int i)
    {
        int root = i;
        while (parent[root] != root)
            root = parent[root];
        while (parent[i] != root)
            (i, parent[i]) = (parent[i], root);
        return root;
    }

    // The smaller index becomes the root, so every cluster's root is its earliest document.
    private static void Union(int[] parent, int a, int b)
    {
        int rootA = Find(parent, a), rootB = Find(parent, b);
        if (rootA < rootB)
            parent[rootB] = rootA;
        else if (rootB < rootA)
            parent[rootA] = rootB;
    }
}
