using PretrainLab.Engine.Compute;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// A <see cref="Random"/> whose sequence is a SplitMix64 stream keyed by a seed and an index (<see cref="Rng.ForStream"/>),
/// so the streams of consecutive indices are independent. <c>new Random(seed + k)</c> is not: .NET's seeded generator
/// (Knuth's subtractive one) derives its state linearly from the seed, so neighbouring seeds give nearly the same early
/// draws. Seeded per experiment that way, random search's eighth draw, <c>Next(4)</c>, alternated between two values
/// for a whole study (the research benchmark's studies each tried only two of their four widths), and TPE picked the
/// kernels it drew from in a fixed pattern.
/// </summary>
/// <param name="seed">The researcher's seed.</param>
/// <param name="index">The stream's index under that seed (an experiment's number).</param>
internal sealed class KeyedRandom(int seed, long index) : Random
{
    // Every public method is overridden: one left to the base class would draw from the base's own seeded state.
    private Rng _rng = Rng.ForStream(unchecked((ulong)seed), unchecked((ulong)index));

    /// <inheritdoc/>
    public override int Next() => (int)Below(int.MaxValue);

    /// <inheritdoc/>
    public override int Next(int maxValue) => Next(0, maxValue);

    /// <inheritdoc/>
    public override int Next(int minValue, int maxValue) => (int)NextInt64(minValue, maxValue);

    /// <inheritdoc/>
    public override long NextInt64() => (long)Below(long.MaxValue);

    /// <inheritdoc/>
    public override long NextInt64(long maxValue) => NextInt64(0, maxValue);

    /// <inheritdoc/>
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return unchecked(minValue + (long)Below((ulong)(maxValue - minValue)));
    }

    /// <inheritdoc/>
    public override double NextDouble() => _rng.NextDouble();

    /// <inheritdoc/>
    public override float NextSingle() => (_rng.NextUInt64() >> 40) * (1f / (1 << 24));

    /// <inheritdoc/>
    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());

    /// <inheritdoc/>
    public override void NextBytes(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
            buffer[i] = (byte)(_rng.NextUInt64() >> 56);
    }

    /// <inheritdoc/>
    protected override double Sample() => _rng.NextDouble();

    /// <summary>A uniform value in [0, <paramref name="bound"/>) (0 when the bound is 0 or 1), without modulo bias.</summary>
    private ulong Below(ulong bound)
    {
        if (bound <= 1)
            return 0;
        if (bound <= long.MaxValue)
            return (ulong)_rng.NextInt64((long)bound);
        // Wider than any long (NextInt64(long.MinValue, long.MaxValue)): over half of all 64-bit values are in range.
        ulong r;
        do
        {
            r = _rng.NextUInt64();
        } while (r >= bound);
        return r;
    }
}
