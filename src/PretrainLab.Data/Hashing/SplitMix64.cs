namespace PretrainLab.Data.Hashing;

/// <summary>
/// SplitMix64: a small, fast generator whose sequence is fixed by its seed on every platform and
/// runtime version, which <see cref="Random"/> does not promise. Used where a dataset must come
/// out the same from the same seed.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15;
        return StableHash.Mix(_state);
    }

    /// <summary>A value in [0, <paramref name="bound"/>), by Lemire's multiply-high (bias below 2^-32 for bounds under 2^32).</summary>
    public int NextInt(int bound) => (int)Math.BigMul(Next(), (ulong)bound, out _);

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
