namespace PretrainLab.Engine.Compute;

/// <summary>
/// A small deterministic random number generator (SplitMix64) with a Box-Muller normal. Streams are
/// derived from a seed and counters, so a batch's randomness depends only on (seed, step, index) and
/// a resumed run draws exactly what an uninterrupted one would.
/// </summary>
public struct Rng
{
    private ulong _state;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Starts a stream at <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        _state = seed;
        _spareNormal = 0;
        _hasSpare = false;
    }

    /// <summary>A stream keyed by a seed and up to three counters (for example step and micro-batch).</summary>
    public static Rng ForStream(ulong seed, ulong a, ulong b = 0, ulong c = 0)
    {
        var s = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        s = Mix(s ^ a);
        s = Mix(s ^ (b * 0xD1B54A32D192ED03UL));
        s = Mix(s ^ (c * 0x8CB92BA72F3D8DD7UL));
        return new Rng(s);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias.</summary>
    public long NextInt64(long bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        var b = (ulong)bound;
        var threshold = (0UL - b) % b;
        ulong r;
        do
        {
            r = NextUInt64();
        } while (r < threshold);
        return (long)(r % b);
    }

    /// <summary>A standard normal sample (Box-Muller, computed in double).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }

        double u1;
        do
        {
            u1 = NextDouble();
        } while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = radius * Math.Sin(2.0 * Math.PI * u2);
        _hasSpare = true;
        return radius * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
