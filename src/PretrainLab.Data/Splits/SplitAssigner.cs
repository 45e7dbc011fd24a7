using PretrainLab.Data.Hashing;

namespace PretrainLab.Data.Splits;

/// <summary>
/// Assigns documents to train, validation and test by a seeded 64-bit hash of their text, so a
/// document's split depends only on its own text and the seed: never on input order, on which other
/// documents exist, or on the machine. The hash's top 53 bits give a position u in [0, 1): validation
/// when u &lt; val, test when u &lt; val + test, train otherwise. Near duplicates are assigned by their
/// cluster's representative, so a cluster never straddles two splits.
/// </summary>
public sealed class SplitAssigner
{
    /// <summary>Sets up the fractions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is negative or they leave nothing for training.</exception>
    public SplitAssigner(double valFraction, double testFraction, ulong seed)
    {
        if (!(valFraction >= 0) || !(testFraction >= 0) || !(valFraction + testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(valFraction), $"Validation ({valFraction}) and test ({testFraction}) fractions must be >= 0 and sum to less than 1.");
        ValFraction = valFraction;
        TestFraction = testFraction;
        Seed = seed;
    }

    /// <summary>Expected share of documents in validation.</summary>
    public double ValFraction { get; }

    /// <summary>Expected share of documents in test.</summary>
    public double TestFraction { get; }

    /// <summary>The hash seed.</summary>
    public ulong Seed { get; }

    /// <summary>The split of a document with text <paramref name="text"/>.</summary>
    public DatasetSplit Assign(ReadOnlySpan<char> text)
    {
        double position = Position(text);
        return position < ValFraction ? DatasetSplit.Val
            : position < ValFraction + TestFraction ? DatasetSplit.Test
            : DatasetSplit.Train;
    }

    /// <summary>
    /// The split of each document, each cluster taking its representative's:
    /// <paramref name="representative"/>[i] is the index of document i's representative (i itself when alone).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or a representative index is out of range.</exception>
    public DatasetSplit[] Assign(IReadOnlyList<string> texts, IReadOnlyList<int> representative)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(representative);
        if (texts.Count != representative.Count)
            throw new ArgumentException($"{texts.Count} texts but {representative.Count} representatives.", nameof(representative));
        for (int i = 0; i < representative.Count; i++)
        {
            if ((uint)representative[i] >= (uint)texts.Count)
                throw new ArgumentException($"Document {i} has representative {representative[i]}, outside [0, {texts.Count}).", nameof(representative));
        }
        var splits = new DatasetSplit[texts.Count];
        Parallel.For(0, texts.Count, i => splits[i] = Assign(texts[representative[i]]));
        return splits;
    }

    /// <summary>The document's position in [0, 1) that decides its split.</summary>
    public double Position(ReadOnlySpan<char> text) => (StableHash.Of(text, Seed) >> 11) * (1.0 / (1UL << 53));
}
