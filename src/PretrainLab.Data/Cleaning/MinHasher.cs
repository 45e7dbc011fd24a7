using System.Runtime.InteropServices;
using PretrainLab.Data.Hashing;

namespace PretrainLab.Data.Cleaning;

/// <summary>
/// MinHash signatures of documents over word n-gram shingles. Words are maximal runs of letters and
/// digits, lowercased, so punctuation and spacing do not matter; a shingle is n consecutive words
/// (a document of fewer than n words has one shingle of all its words). Each shingle is a 64-bit
/// hash; permutation i maps it to the top 32 bits of a_i·x + b_i mod 2^64 (a_i odd, a multiply-shift
/// universal hash), and the signature keeps each permutation's minimum. The share of equal entries
/// in two signatures estimates the Jaccard similarity of their shingle sets, with standard error
/// about sqrt(J(1 − J) / permutations).
/// </summary>
public sealed class MinHasher
{
    private readonly ulong[] _multipliers;
    private readonly ulong[] _offsets;

    /// <summary>Sets up <paramref name="permutations"/> hash functions drawn from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permutations"/> or <paramref name="ngram"/> is below 1.</exception>
    public MinHasher(int permutations, int ngram, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ngram, 1);
        Permutations = permutations;
        Ngram = ngram;
        _multipliers = new ulong[permutations];
        _offsets = new ulong[permutations];
        var random = new SplitMix64(seed);
        for (int i = 0; i < permutations; i++)
        {
            _multipliers[i] = random.Next() | 1;
            _offsets[i] = random.Next();
        }
    }

    /// <summary>Entries per signature.</summary>
    public int Permutations { get; }

    /// <summary>Words per shingle.</summary>
    public int Ngram { get; }

    /// <summary>The distinct shingle hashes of <paramref name="text"/>, sorted; empty when it has no words.</summary>
    public ulong[] Shingles(ReadOnlySpan<char> text)
    {
        var words = new List<ulong>(text.Length / 5 + 1);
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(StableHash.OfLowercase(text[start..i]));
                start = -1;
            }
        }
        if (words.Count == 0)
            return [];

        var span = CollectionsMarshal.AsSpan(words);
        int n = Math.Min(Ngram, span.Length);
        var shingles = new ulong[span.Length - n + 1];
        for (int i = 0; i < shingles.Length; i++)
            shingles[i] = StableHash.OfSequence(span.Slice(i, n));
        Array.Sort(shingles);
        int distinct = 1;
        for (int i = 1; i < shingles.Length; i++)
        {
            if (shingles[i] != shingles[distinct - 1])
                shingles[distinct++] = shingles[i];
        }
        return shingles[..distinct];
    }

    /// <summary>The signature of a shingle set; all entries <see cref="uint.MaxValue"/> when the set is empty.</summary>
    public uint[] Signature(ReadOnlySpan<ulong> shingles)
    {
        var signature = new uint[Permutations];
        Array.Fill(signature, uint.MaxValue);
        foreach (ulong shingle in shingles)
        {
            for (int i = 0; i < signature.Length; i++)
            {
                uint value = (uint)((_multipliers[i] * shingle + _offsets[i]) >> 32);
                if (value < signature[i])
                    signature[i] = value;
            }
        }
        return signature;
    }

    /// <summary>The MinHash estimate of Jaccard similarity: the share of positions where the signatures agree.</summary>
    /// <exception cref="ArgumentException">The signatures differ in length.</exception>
    public static double EstimateJaccard(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Signatures of {a.Length} and {b.Length} entries cannot be compared.", nameof(b));
        int equal = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i])
                equal++;
        }
        return a.Length == 0 ? 0 : (double)equal / a.Length;
    }

    /// <summary>The exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted sets of distinct shingles; 0 when both are empty.</summary>
    public static double Jaccard(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int i = 0, j = 0, common = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                common++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        int union = a.Length + b.Length - common;
        return union == 0 ? 0 : (double)common / union;
    }
}
