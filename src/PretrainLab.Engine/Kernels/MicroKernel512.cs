using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: a 12 x 32 tile of C in 24 Vector512 accumulators (of 32 registers), two
/// vector loads of B and twelve broadcasts of A per step of the depth.
/// </summary>
internal readonly unsafe struct MicroKernel512 : IMicroKernel
{
    /// <inheritdoc/>
    public static int Rows => 12;

    /// <inheritdoc/>
    public static int Columns => 32;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias)
    {
        Vector512<float> c00, c01;
        Vector512<float> c10, c11;
        Vector512<float> c20, c21;
        Vector512<float> c30, c31;
        Vector512<float> c40, c41;
        Vector512<float> c50, c51;
        Vector512<float> c60, c61;
        Vector512<float> c70, c71;
        Vector512<float> c80, c81;
        Vector512<float> c90, c91;
        Vector512<float> c100, c101;
        Vector512<float> c110, c111;
        if (load)
        {
            c00 = Vector512.Load(c);
            c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc);
            c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc);
            c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc);
            c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc);
            c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc);
            c51 = Vector512.Load(c + 5 * ldc + 16);
            c60 = Vector512.Load(c + 6 * ldc);
            c61 = Vector512.Load(c + 6 * ldc + 16);
            c70 = Vector512.Load(c + 7 * ldc);
            c71 = Vector512.Load(c + 7 * ldc + 16);
            c80 = Vector512.Load(c + 8 * ldc);
            c81 = Vector512.Load(c + 8 * ldc + 16);
            c90 = Vector512.Load(c + 9 * ldc);
            c91 = Vector512.Load(c + 9 * ldc + 16);
            c100 = Vector512.Load(c + 10 * ldc);
            c101 = Vector512.Load(c + 10 * ldc + 16);
            c110 = Vector512.Load(c + 11 * ldc);
            c111 = Vector512.Load(c + 11 * ldc + 16);
        }
        else
        {
            var init0 = bias is null ? Vector512<float>.Zero : Vector512.Load(bias);
            var init1 = bias is null ? Vector512<float>.Zero : Vector512.Load(bias + 16);
            c00 = init0; c01 = init1;
            c10 = init0; c11 = init1;
            c20 = init0; c21 = init1;
            c30 = init0; c31 = init1;
            c40 = init0; c41 = init1;
            c50 = init0; c51 = init1;
            c60 = init0; c61 = init1;
            c70 = init0; c71 = init1;
            c80 = init0; c81 = init1;
            c90 = init0; c91 = init1;
            c100 = init0; c101 = init1;
            c110 = init0; c111 = init1;
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            var a8 = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(a8, b0, c80);
            c81 = Vector512.FusedMultiplyAdd(a8, b1, c81);
            var a9 = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(a9, b0, c90);
            c91 = Vector512.FusedMultiplyAdd(a9, b1, c91);
            var a10 = Vector512.Create(a[10]);
            c100 = Vector512.FusedMultiplyAdd(a10, b0, c100);
            c101 = Vector512.FusedMultiplyAdd(a10, b1, c101);
            var a11 = Vector512.Create(a[11]);
            c110 = Vector512.FusedMultiplyAdd(a11, b0, c110);
            c111 = Vector512.FusedMultiplyAdd(a11, b1, c111);
            a += 12;
            b += 32;
        }

        c00.Store(c);
        c01.Store(c + 16);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc);
        c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc);
        c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc);
        c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc);
        c51.Store(c + 5 * ldc + 16);
        c60.Store(c + 6 * ldc);
        c61.Store(c + 6 * ldc + 16);
        c70.Store(c + 7 * ldc);
        c71.Store(c + 7 * ldc + 16);
        c80.Store(c + 8 * ldc);
        c81.Store(c + 8 * ldc + 16);
        c90.Store(c + 9 * ldc);
        c91.Store(c + 9 * ldc + 16);
        c100.Store(c + 10 * ldc);
        c101.Store(c + 10 * ldc + 16);
        c110.Store(c + 11 * ldc);
        c111.Store(c + 11 * ldc + 16);
    }
}
