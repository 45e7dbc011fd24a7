using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// Row-level vector primitives shared by the layers: Vector512 main loops where AVX-512 exists,
/// Vector256 otherwise, scalar tails. Each has a fixed reduction order for a given length, so a given
/// row always rounds the same way whichever thread computes it.
/// </summary>
public static unsafe class VectorMath
{
    // exp: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so that n·ln2_hi is exact), e^r by
    // Cephes' expf polynomial (relative error ~1e-7), 2^n built in the exponent bits. The clamps order
    // their operands so that x86's min/max pass a NaN through.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float RoundMagic = 12582912f; // 1.5·2^23: adding it rounds to an integer in the low mantissa bits
    private const float ExpMax = 88.7228391f; // ln(float.MaxValue)
    private const float ExpMin = -87.3365447f; // ln(smallest normal float); below, the result is 0
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary>Whether the element-wise kernels run 16 lanes (AVX-512) rather than 8.</summary>
    internal static bool Wide => Avx512F.IsSupported;

    /// <summary>Returns <c>Σ x[i]·y[i]</c> over <paramref name="length"/> elements.</summary>
    /// <remarks>Inlined: attention calls it once per pair of positions, on rows of only 32-128 floats.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* x, float* y, int length)
    {
        var p = 0;
        float s;
        if (Wide && length >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; p <= length - 16; p += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(y + p), acc);
            s = Vector512.Sum(acc);
        }
        else
        {
            var acc = Vector256<float>.Zero;
            for (; p <= length - 8; p += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), acc);
            s = Vector256.Sum(acc);
        }
        for (; p < length; p++)
            s += x[p] * y[p];
        return s;
    }

    /// <summary>Computes <c>y[i] += alpha·x[i]</c>.</summary>
    /// <remarks>Inlined for the same reason as <see cref="Dot"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float alpha, float* x, float* y, int length)
    {
        var p = 0;
        if (Wide)
        {
            var a = Vector512.Create(alpha);
            for (; p <= length - 16; p += 16)
                Vector512.FusedMultiplyAdd(a, Vector512.Load(x + p), Vector512.Load(y + p)).Store(y + p);
        }
        var a8 = Vector256.Create(alpha);
        for (; p <= length - 8; p += 8)
            Vector256.FusedMultiplyAdd(a8, Vector256.Load(x + p), Vector256.Load(y + p)).Store(y + p);
        for (; p < length; p++)
            y[p] += alpha * x[p];
    }

    /// <summary>Computes <c>z[i] = x[i] + y[i]</c>; <paramref name="z"/> may alias either input.</summary>
    public static void Add(float* x, float* y, float* z, long length)
    {
        long p = 0;
        if (Wide)
        {
            for (; p <= length - 16; p += 16)
                (Vector512.Load(x + p) + Vector512.Load(y + p)).Store(z + p);
        }
        for (; p <= length - 8; p += 8)
            (Vector256.Load(x + p) + Vector256.Load(y + p)).Store(z + p);
        for (; p < length; p++)
            z[p] = x[p] + y[p];
    }

    /// <summary>Partial sums of <see cref="SumOfSquares(float*, int)"/>: element i goes to sum i mod 16.</summary>
    internal const int SquareLanes = 16;

    /// <summary>
    /// Returns <c>Σ x[i]²</c> accumulated in double in a fixed order: element i is added to partial sum
    /// <c>i mod 16</c>, in index order, and the 16 partial sums are then combined pairwise, sum j
    /// taking sum j + w for w = 8, 4, 2, 1. The square of a float is exact in double, so the fused
    /// vector form and the scalar form round identically: the result depends only on the data.
    /// </summary>
    public static double SumOfSquares(float* x, int length) =>
        SumOfSquares(x, length, Wide ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1);

    /// <summary>
    /// <see cref="SumOfSquares(float*, int)"/> with floats read <paramref name="floatsPerVector"/> at a
    /// time (16: Vector512, 8: Vector256, 1: scalar); tests compare the three.
    /// </summary>
    internal static double SumOfSquares(float* x, int length, int floatsPerVector)
    {
        var sums = stackalloc double[SquareLanes];
        var full = length & ~(SquareLanes - 1);
        if (floatsPerVector == 16)
        {
            // Lanes of the low half are sums 0-7, of the high half sums 8-15.
            Vector512<double> s0 = Vector512<double>.Zero, s1 = Vector512<double>.Zero;
            for (var i = 0; i < full; i += 16)
            {
                var v = Vector512.Load(x + i);
                var lo = Vector512.WidenLower(v);
                var hi = Vector512.WidenUpper(v);
                s0 = Vector512.FusedMultiplyAdd(lo, lo, s0);
                s1 = Vector512.FusedMultiplyAdd(hi, hi, s1);
            }
            s0.Store(sums);
            s1.Store(sums + 8);
        }
        else if (floatsPerVector == 8)
        {
            Vector256<double> s0 = Vector256<double>.Zero, s1 = Vector256<double>.Zero;
            Vector256<double> s2 = Vector256<double>.Zero, s3 = Vector256<double>.Zero;
            for (var i = 0; i < full; i += 16)
            {
                var v = Vector256.Load(x + i);
                var w = Vector256.Load(x + i + 8);
                var (a, b) = Vector256.Widen(v);
                var (c, d) = Vector256.Widen(w);
                s0 = Vector256.FusedMultiplyAdd(a, a, s0);
                s1 = Vector256.FusedMultiplyAdd(b, b, s1);
                s2 = Vector256.FusedMultiplyAdd(c, c, s2);
                s3 = Vector256.FusedMultiplyAdd(d, d, s3);
            }
            s0.Store(sums);
            s1.Store(sums + 4);
            s2.Store(sums + 8);
            s3.Store(sums + 12);
        }
        else
        {
            new Span<double>(sums, SquareLanes).Clear();
            for (var i = 0; i < full; i++)
                sums[i & (SquareLanes - 1)] += (double)x[i] * x[i];
        }
        for (var i = full; i < length; i++)
            sums[i & (SquareLanes - 1)] += (double)x[i] * x[i];
        for (var w = SquareLanes / 2; w > 0; w /= 2)
        {
            for (var j = 0; j < w; j++)
                sums[j] += sums[j + w];
        }
        return sums[0];
    }

    /// <summary>Computes <c>x[i] *= factor</c>.</summary>
    public static void Scale(float* x, float factor, long length)
    {
        long p = 0;
        if (Wide)
        {
            var f = Vector512.Create(factor);
            for (; p <= length - 16; p += 16)
                (Vector512.Load(x + p) * f).Store(x + p);
        }
        var f8 = Vector256.Create(factor);
        for (; p <= length - 8; p += 8)
            (Vector256.Load(x + p) * f8).Store(x + p);
        for (; p < length; p++)
            x[p] *= factor;
    }

    /// <summary>
    /// e^x per lane, within 2 ulp for x in [ln(2^−126), ln(float.MaxValue)]; 0 below that range (no
    /// subnormal results), +∞ above it, NaN for NaN. Lane for lane the same bits as the Vector256 form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var clamped = Vector512.MinNative(Vector512.Create(ExpMax), Vector512.MaxNative(Vector512.Create(ExpMin), x));
        var magic = Vector512.Create(RoundMagic);
        var shifted = Vector512.FusedMultiplyAdd(clamped, Vector512.Create(Log2E), magic);
        var n = shifted - magic;
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), clamped);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        // n reaches 128 only at the very top of the range: double p and scale by 2^127 instead.
        var top = Vector512.GreaterThan(n, Vector512.Create(127f));
        p = Vector512.ConditionalSelect(top, p + p, p);
        var exponent = shifted.AsInt32() - magic.AsInt32() + top.AsInt32(); // top lanes are −1: 2^(n−1)
        var result = p * ((exponent + Vector512.Create(127)) << 23).AsSingle();
        result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpMin)), Vector512<float>.Zero, result);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpMax)), Vector512.Create(float.PositiveInfinity), result);
    }

    /// <summary>The Vector256 form of <see cref="Exp(Vector512{float})"/>, with the same bits per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var clamped = Vector256.MinNative(Vector256.Create(ExpMax), Vector256.MaxNative(Vector256.Create(ExpMin), x));
        var magic = Vector256.Create(RoundMagic);
        var shifted = Vector256.FusedMultiplyAdd(clamped, Vector256.Create(Log2E), magic);
        var n = shifted - magic;
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), clamped);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var top = Vector256.GreaterThan(n, Vector256.Create(127f));
        p = Vector256.ConditionalSelect(top, p + p, p);
        var exponent = shifted.AsInt32() - magic.AsInt32() + top.AsInt32();
        var result = p * ((exponent + Vector256.Create(127)) << 23).AsSingle();
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpMin)), Vector256<float>.Zero, result);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpMax)), Vector256.Create(float.PositiveInfinity), result);
    }
}
