using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// Which part of a <see cref="DirectGemm"/> product is needed or nonzero, for causal attention.
/// </summary>
internal enum Triangle
{
    /// <summary>The whole product.</summary>
    None,

    /// <summary>Only <c>C[i, j]</c> with j ≤ i is needed; the entries above the diagonal are left unspecified.</summary>
    Output,

    /// <summary>op(A) is lower triangular: <c>op(A)[i, p] = 0</c> for p &gt; i.</summary>
    LowerA,

    /// <summary>op(A) is upper triangular: <c>op(A)[i, p] = 0</c> for p &lt; i.</summary>
    UpperA,
}

/// <summary>
/// Single-threaded products of small operands read in place, without packing: attention's per-head
/// blocks, where a product is too small for <see cref="Gemm"/>'s packing to pay. Computes
/// <c>C[i, j] = Σ_p op(A)[i, p]·op(B)[p, j] + bias[j]</c> for C [M, N] (bias optional; or the product
/// added to C when accumulating), where
/// op(A)[i, p] is <c>A[i·lda + p]</c>, or with <c>transposeA</c> <c>A[p·lda + i]</c>, and op(B)[p, j]
/// is <c>B[p·ldb + j]</c>, or with <c>transposeB</c> <c>B[j·ldb + p]</c>; C's rows are <c>ldc</c>
/// floats apart. A transposed B is first copied into a per-thread buffer in the other layout (the
/// kernels stream B's rows); A is always read in place.
/// </summary>
/// <remarks>
/// <para>
/// Rows go in tiles of <see cref="TileRows"/>, columns in blocks of two vectors, each tile in
/// register accumulators. Every element of C is one fused multiply-add chain over p in increasing
/// order, starting from C, the bias or 0, whether a vector lane or the scalar loop for partial tiles
/// computes it: the bits depend on neither the vector width nor the tiling, and are those of
/// <see cref="Gemm"/>.
/// </para>
/// <para>
/// With a <see cref="Triangle"/> the tiles skip work: for <see cref="Triangle.Output"/> the column
/// blocks right of the tile's diagonal; for <see cref="Triangle.LowerA"/> the depth steps past the
/// tile's last row, and for <see cref="Triangle.UpperA"/> those before its first row (terms whose
/// A entry is zero). Skipping a zero term <c>fma(0, b, s) = s</c> changes nothing but, when s is a
/// zero, possibly its sign.
/// </para>
/// </remarks>
internal static unsafe class DirectGemm
{
    /// <summary>Rows of C per register tile.</summary>
    internal const int TileRows = 8;

    [ThreadStatic]
    private static float[]? t_transposed;

    /// <summary>The product on the widest vectors this CPU has.</summary>
    public static void Multiply(
        float* a, long lda, bool transposeA, float* b, long ldb, bool transposeB, float* c, long ldc, int m, int n, int k, bool accumulate,
        Triangle triangle) =>
        Multiply(a, lda, transposeA, b, ldb, transposeB, c, ldc, m, n, k, null, accumulate, triangle, Lanes);

    /// <summary>Floats per vector of the widest kernels this CPU runs (1: scalar only).</summary>
    internal static int Lanes { get; } = Avx512F.IsSupported ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;

    /// <summary>The product with <paramref name="floatsPerVector"/> lanes (16, 8, or 1 for scalar only); tests compare them.</summary>
    internal static void Multiply(
        float* a, long lda, bool transposeA, float* b, long ldb, bool transposeB, float* c, long ldc, int m, int n, int k, float* bias,
        bool accumulate, Triangle triangle, int floatsPerVector)
    {
        if (m <= 0 || n <= 0)
            return;
        if (transposeB)
        {
            // Rows of the copy are padded to 16 floats (64 bytes), so that every row starts aligned.
            var ldt = (n + 15) & ~15;
            var need = (long)k * ldt;
            if (t_transposed is null || t_transposed.Length < need)
                t_transposed = GC.AllocateUninitializedArray<float>((int)need, pinned: true);
            fixed (float* bt = t_transposed)
            {
                PanelPacking.Transpose(b, ldb, n, k, bt, ldt);
                Product(a, lda, transposeA, bt, ldt, c, ldc, m, n, k, bias, accumulate, triangle, floatsPerVector);
            }
            return;
        }
        Product(a, lda, transposeA, b, ldb, c, ldc, m, n, k, bias, accumulate, triangle, floatsPerVector);
    }

    private static void Product(
        float* a, long lda, bool transposeA, float* b, long ldb, float* c, long ldc, int m, int n, int k, float* bias, bool accumulate,
        Triangle triangle, int floatsPerVector)
    {
        long rowStep = transposeA ? 1 : lda, depthStep = transposeA ? lda : 1;
        var block = 2 * floatsPerVector;
        for (var i0 = 0; i0 < m; i0 += TileRows)
        {
            var i1 = Math.Min(m, i0 + TileRows);
            int p0 = 0, p1 = k, columns = n;
            switch (triangle)
            {
                case Triangle.Output:
                    // Whole column blocks up to the diagonal: extra entries above it are harmless.
                    columns = Math.Min(n, (i1 + block - 1) / block * block);
                    break;
                case Triangle.LowerA:
                    p1 = Math.Min(k, i1);
                    break;
                case Triangle.UpperA:
                    p0 = Math.Min(k, i0);
                    break;
            }

            var j = 0;
            if (i1 - i0 == TileRows && floatsPerVector > 1)
            {
                var ai = a + i0 * rowStep;
                var ci = c + i0 * ldc;
                for (; j + block <= columns; j += block)
                {
                    var bj = bias is null ? null : bias + j;
                    if (floatsPerVector == 16)
                    {
                        if (transposeA)
                            Tile512Columns(ai + p0 * depthStep, lda, b + p0 * ldb + j, ldb, ci + j, ldc, p1 - p0, accumulate, bj);
                        else
                            Tile512Rows(ai + p0, lda, b + p0 * ldb + j, ldb, ci + j, ldc, p1 - p0, accumulate, bj);
                    }
                    else
                    {
                        Tile256(ai + p0 * depthStep, rowStep, depthStep, b + p0 * ldb + j, ldb, ci + j, ldc, p1 - p0, accumulate, bj);
                    }
                }
            }
            if (j < columns)
                Scalar(a, rowStep, depthStep, b, ldb, c, ldc, i0, i1, j, columns, p0, p1, bias, accumulate);
        }
    }

    /// <summary>Rows [i0, i1) and columns [j0, j1) of C, one chain per element in the scalar unit.</summary>
    private static void Scalar(
        float* a, long rowStep, long depthStep, float* b, long ldb, float* c, long ldc, int i0, int i1, int j0, int j1, int p0, int p1,
        float* bias, bool accumulate)
    {
        for (var i = i0; i < i1; i++)
        {
            for (var j = j0; j < j1; j++)
            {
                var s = accumulate ? c[i * ldc + j] : bias is null ? 0f : bias[j];
                for (var p = p0; p < p1; p++)
                    s = MathF.FusedMultiplyAdd(a[i * rowStep + p * depthStep], b[p * ldb + j], s);
                c[i * ldc + j] = s;
            }
        }
    }

    /// <summary>
    /// An 8 x 32 tile over <paramref name="depth"/> steps with A stored row by row: row i's values at
    /// <c>a[i·lda + p]</c>, each broadcast from its own row pointer.
    /// </summary>
    /// <remarks>
    /// <see cref="Tile512Columns"/> is the same tile for the other layout of A. One generic tile over an A-accessor
    /// struct was tried (.NET 10): the JIT then recomputed the eight row offsets <c>i·lda</c> on every depth step
    /// (about a dozen integer instructions per 16 multiply-adds) instead of keeping eight row pointers, so the two stay separate.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512Rows(float* a, long lda, float* b, long ldb, float* c, long ldc, int depth, bool load, float* bias)
    {
        float* a0 = a, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (load)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
            c60 = Vector512.Load(c + 6 * ldc); c61 = Vector512.Load(c + 6 * ldc + 16);
            c70 = Vector512.Load(c + 7 * ldc); c71 = Vector512.Load(c + 7 * ldc + 16);
        }
        else
        {
            var init0 = bias is null ? Vector512<float>.Zero : Vector512.Load(bias);
            var init1 = bias is null ? Vector512<float>.Zero : Vector512.Load(bias + 16);
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = init0;
            c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = init1;
        }
        for (var p = 0; p < depth; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[p]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            b += ldb;
        }
        Store512(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    /// <summary>
    /// An 8 x 32 tile over <paramref name="depth"/> steps with A stored depth step by depth step: the
    /// 8 values of step p at <c>a[p·lda + i]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512Columns(float* a, long lda, float* b, long ldb, float* c, long ldc, int depth, bool load, float* bias)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (load)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
            c60 = Vector512.Load(c + 6 * ldc); c61 = Vector512.Load(c + 6 * ldc + 16);
            c70 = Vector512.Load(c + 7 * ldc); c71 = Vector512.Load(c + 7 * ldc + 16);
        }
        else
        {
            var init0 = bias is null ? Vector512<float>.Zero : Vector512.Load(bias);
            var init1 = bias is null ? Vector512<float>.Zero : Vector512.Load(bias + 16);
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = init0;
            c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = init1;
        }
        for (var p = 0; p < depth; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a += lda;
            b += ldb;
        }
        Store512(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, long ldc,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11,
        Vector512<float> c20, Vector512<float> c21, Vector512<float> c30, Vector512<float> c31,
        Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71)
    {
        c00.Store(c); c01.Store(c + 16);
        c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
        c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16);
        c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16);
    }

    /// <summary>
    /// The AVX2 tile: 8 x 16, A's value for row i and step p at <c>a[i·rowStep + p·depthStep]</c>
    /// (16 accumulators of the 16 registers would leave none for B, so the compiler keeps some in memory;
    /// this path is for CPUs without AVX-512 and favours simplicity).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile256(float* a, long rowStep, long depthStep, float* b, long ldb, float* c, long ldc, int depth, bool load, float* bias)
    {
        var acc = stackalloc Vector256<float>[2 * TileRows];
        var init0 = bias is null ? Vector256<float>.Zero : Vector256.Load(bias);
        var init1 = bias is null ? Vector256<float>.Zero : Vector256.Load(bias + 8);
        for (var i = 0; i < TileRows; i++)
        {
            acc[2 * i] = load ? Vector256.Load(c + i * ldc) : init0;
            acc[2 * i + 1] = load ? Vector256.Load(c + i * ldc + 8) : init1;
        }
        for (var p = 0; p < depth; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            for (var i = 0; i < TileRows; i++)
            {
                var x = Vector256.Create(a[i * rowStep]);
                acc[2 * i] = Vector256.FusedMultiplyAdd(x, b0, acc[2 * i]);
                acc[2 * i + 1] = Vector256.FusedMultiplyAdd(x, b1, acc[2 * i + 1]);
            }
            a += depthStep;
            b += ldb;
        }
        for (var i = 0; i < TileRows; i++)
        {
            acc[2 * i].Store(c + i * ldc);
            acc[2 * i + 1].Store(c + i * ldc + 8);
        }
    }
}
