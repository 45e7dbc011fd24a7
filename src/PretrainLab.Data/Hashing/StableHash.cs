namespace PretrainLab.Data.Hashing;

/// <summary>
/// A 64-bit hash that is the same in every process and on every machine (unlike
/// <see cref="string.GetHashCode()"/>): FNV-1a over UTF-16 code units, finished with SplitMix64's
/// mixer so that nearby inputs give unrelated values.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>The hash of <paramref name="text"/> with every character lowercased (invariant culture).</summary>
    public static ulong OfLowercase(ReadOnlySpan<char> text)
    {
        ulong hash = FnvOffset;
        foreach (char c in text)
            hash = (hash ^ char.ToLowerInvariant(c)) * FnvPrime;
        return Mix(hash);
    }

    /// <summary>The hash of <paramref name="text"/>'s UTF-16 code units, keyed by <paramref name="seed"/>.</summary>
    public static ulong Of(ReadOnlySpan<char> text, ulong seed)
    {
        ulong hash = FnvOffset ^ Mix(seed);
        foreach (char c in text)
            hash = (hash ^ c) * FnvPrime;
        return Mix(hash);
    }

    /// <summary>The hash of <paramref name="values"/> as a sequence.</summary>
    public static ulong OfSequence(ReadOnlySpan<ulong> values)
    {
        ulong hash = FnvOffset;
        foreach (ulong value in values)
            hash = Mix(hash ^ value) * FnvPrime;
        return Mix(hash);
    }

    /// <summary>The hash of <paramref name="values"/> as a sequence.</summary>
    public static ulong OfSequence(ReadOnlySpan<uint> values)
    {
        ulong hash = FnvOffset;
        foreach (uint value in values)
            hash = (hash ^ value) * FnvPrime;
        return Mix(hash);
    }

    /// <summary>SplitMix64's finaliser: a bijection on 64-bit values with good avalanche.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9;
        x ^= x >> 27;
        x *= 0x94D049BB133111EB;
        x ^= x >> 31;
        return x;
    }
}
