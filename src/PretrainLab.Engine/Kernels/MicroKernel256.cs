using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// The AVX2 micro-kernel: a 6 x 16 tile of C in 12 Vector256 accumulators, which with the two B
/// vectors and one broadcast fills the 16 registers AVX2 has.
/// </summary>
internal readonly unsafe struct MicroKernel256 : IMicroKernel
{
    /// <inheritdoc/>
    public static int Rows => 6;

    /// <inheritdoc/>
    public static int Columns => 16;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias)
    {
        Vector256<float> c00, c01;
        Vector256<float> c10, c11;
        Vector256<float> c20, c21;
        Vector256<float> c30, c31;
        Vector256<float> c40, c41;
        Vector256<float> c50, c51;
        if (load)
        {
            c00 = Vector256.Load(c);
            c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc);
            c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc);
            c21 = Vector256.Load(c + 2 * ldc + 8);
            c30 = Vector256.Load(c + 3 * ldc);
            c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc);
            c41 = Vector256.Load(c + 4 * ldc + 8);
            c50 = Vector256.Load(c + 5 * ldc);
            c51 = Vector256.Load(c + 5 * ldc + 8);
        }
        else
        {
            var init0 = bias is null ? Vector256<float>.Zero : Vector256.Load(bias);
            var init1 = bias is null ? Vector256<float>.Zero : Vector256.Load(bias + 8);
            c00 = init0; c01 = init1;
            c10 = init0; c11 = init1;
            c20 = init0; c21 = init1;
            c30 = init0; c31 = init1;
            c40 = init0; c41 = init1;
            c50 = init0; c51 = init1;
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }

        c00.Store(c);
        c01.Store(c + 8);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc);
        c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc);
        c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc);
        c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc);
        c51.Store(c + 5 * ldc + 8);
    }
}
