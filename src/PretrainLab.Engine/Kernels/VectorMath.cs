using System.Runtime.Intrinsics;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// Row-level vector primitives shared by the layers. Vector256 main loops with scalar tails; each has
/// a fixed reduction order, so a given length always rounds the same way.
/// </summary>
public static unsafe class VectorMath
{
    /// <summary>Returns <c>Σ x[i]·y[i]</c> over <paramref name="length"/> elements.</summary>
    public static float Dot(float* x, float* y, int length)
    {
        var acc = Vector256<float>.Zero;
        var p = 0;
        for (; p <= length - 8; p += 8)
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), acc);
        var s = Vector256.Sum(acc);
        for (; p < length; p++)
            s += x[p] * y[p];
        return s;
    }

    /// <summary>Computes <c>y[i] += alpha·x[i]</c>.</summary>
    public static void Axpy(float alpha, float* x, float* y, int length)
    {
        var a = Vector256.Create(alpha);
        var p = 0;
        for (; p <= length - 8; p += 8)
            Vector256.FusedMultiplyAdd(a, Vector256.Load(x + p), Vector256.Load(y + p)).Store(y + p);
        for (; p < length; p++)
            y[p] += alpha * x[p];
    }

    /// <summary>Computes <c>z[i] = x[i] + y[i]</c>; <paramref name="z"/> may alias either input.</summary>
    public static void Add(float* x, float* y, float* z, long length)
    {
        long p = 0;
        for (; p <= length - 8; p += 8)
            (Vector256.Load(x + p) + Vector256.Load(y + p)).Store(z + p);
        for (; p < length; p++)
            z[p] = x[p] + y[p];
    }
}
