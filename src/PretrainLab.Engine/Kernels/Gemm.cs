using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// Single-precision matrix products in the one layout every layer reduces to:
/// <c>C[M,N] = A[M,K] · B[N,K]ᵀ (+ bias[N])</c>, both operands row-major with K contiguous, so each
/// output is a dot product of two contiguous rows. Backward passes transpose their operands into this
/// form (see <c>Transpose</c>).
/// </summary>
/// <remarks>
/// 4x4 register tiles of Vector256 accumulators, B blocked into panels that stay in L2, rows of A
/// split across threads. Each output element is reduced in a fixed order by one thread, so results do
/// not depend on the thread count. The scalar reference lives in the tests.
/// </remarks>
public static unsafe class Gemm
{
    private const int PanelRows = 64;

    /// <summary>
    /// Computes <c>C[i,j] = Σ_p A[i,p]·B[j,p] + bias[j]</c> (bias optional); when
    /// <paramref name="accumulate"/> is set, adds the product to the existing C instead.
    /// </summary>
    public static void MultiplyTransposed(
        Parallelism parallelism, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, ReadOnlySpan<float> bias = default, bool accumulate = false)
    {
        CheckShape(a.Length, (long)m * k, nameof(a));
        CheckShape(b.Length, (long)n * k, nameof(b));
        CheckShape(c.Length, (long)m * n, nameof(c));
        if (!bias.IsEmpty)
            CheckShape(bias.Length, n, nameof(bias));
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            MultiplyTransposed(parallelism, pa, pb, pc, m, n, k, bias.IsEmpty ? null : pbias, accumulate);
    }

    /// <summary>Pointer form of <see cref="MultiplyTransposed(Parallelism, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, ReadOnlySpan{float}, bool)"/>.</summary>
    public static void MultiplyTransposed(
        Parallelism parallelism, float* a, float* b, float* c, int m, int n, int k, float* bias, bool accumulate)
    {
        var tiles = (m + 3) / 4;
        var op = new RowTiles(a, b, c, m, n, k, bias, accumulate);
        // A tile of 4 rows costs 8·n·k flops; keep chunks above ~2 MFLOP so thread hand-off pays.
        var minTiles = Math.Max(1, (int)Math.Min(int.MaxValue, (1L << 21) / Math.Max(1L, 8L * n * k)));
        parallelism.For(tiles, op, minTiles);
    }

    /// <summary>Writes <c>dst[j,i] = src[i,j]</c> for a row-major <paramref name="rows"/> x <paramref name="cols"/> source.</summary>
    public static void Transpose(Parallelism parallelism, ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        CheckShape(src.Length, (long)rows * cols, nameof(src));
        CheckShape(dst.Length, (long)rows * cols, nameof(dst));
        fixed (float* ps = src, pd = dst)
            Transpose(parallelism, ps, pd, rows, cols);
    }

    /// <summary>Pointer form of <see cref="Transpose(Parallelism, ReadOnlySpan{float}, Span{float}, int, int)"/>.</summary>
    public static void Transpose(Parallelism parallelism, float* src, float* dst, int rows, int cols)
    {
        const int block = 32;
        var op = new TransposeBlocks(src, dst, rows, cols, block);
        parallelism.For((cols + block - 1) / block, op, minRowsPerChunk: Math.Max(1, 4096 / Math.Max(rows, 1)));
    }

    private static void CheckShape(long actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements, expected {expected}", name);
    }

    private readonly struct RowTiles(float* a, float* b, float* c, int m, int n, int k, float* bias, bool accumulate)
        : IRowOperation
    {
        public void Invoke(int startTile, int endTile)
        {
            for (var j0 = 0; j0 < n; j0 += PanelRows)
            {
                var j1 = Math.Min(j0 + PanelRows, n);
                for (var tile = startTile; tile < endTile; tile++)
                {
                    var i = tile * 4;
                    var rowsHere = Math.Min(4, m - i);
                    var j = j0;
                    if (rowsHere == 4)
                    {
                        for (; j + 4 <= j1; j += 4)
                            Kernel4x4(i, j);
                    }

                    for (var r = i; r < i + rowsHere; r++)
                    {
                        for (var col = j; col < j1; col++)
                            Store(r, col, VectorMath.Dot(a + (long)r * k, b + (long)col * k, k));
                    }
                }
            }
        }

        private void Store(int row, int col, float value)
        {
            ref var dst = ref c[(long)row * n + col];
            if (accumulate)
                dst += value;
            else
                dst = bias is null ? value : value + bias[col];
        }

        private void Kernel4x4(int i, int j)
        {
            var a0 = a + (long)i * k;
            var a1 = a0 + k;
            var a2 = a1 + k;
            var a3 = a2 + k;
            var b0 = b + (long)j * k;
            var b1 = b0 + k;
            var b2 = b1 + k;
            var b3 = b2 + k;
            Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
            var p = 0;
            for (; p <= k - 8; p += 8)
            {
                var x0 = Vector256.Load(a0 + p);
                var x1 = Vector256.Load(a1 + p);
                var x2 = Vector256.Load(a2 + p);
                var x3 = Vector256.Load(a3 + p);
                var y = Vector256.Load(b0 + p);
                c00 = Vector256.FusedMultiplyAdd(x0, y, c00);
                c10 = Vector256.FusedMultiplyAdd(x1, y, c10);
                c20 = Vector256.FusedMultiplyAdd(x2, y, c20);
                c30 = Vector256.FusedMultiplyAdd(x3, y, c30);
                y = Vector256.Load(b1 + p);
                c01 = Vector256.FusedMultiplyAdd(x0, y, c01);
                c11 = Vector256.FusedMultiplyAdd(x1, y, c11);
                c21 = Vector256.FusedMultiplyAdd(x2, y, c21);
                c31 = Vector256.FusedMultiplyAdd(x3, y, c31);
                y = Vector256.Load(b2 + p);
                c02 = Vector256.FusedMultiplyAdd(x0, y, c02);
                c12 = Vector256.FusedMultiplyAdd(x1, y, c12);
                c22 = Vector256.FusedMultiplyAdd(x2, y, c22);
                c32 = Vector256.FusedMultiplyAdd(x3, y, c32);
                y = Vector256.Load(b3 + p);
                c03 = Vector256.FusedMultiplyAdd(x0, y, c03);
                c13 = Vector256.FusedMultiplyAdd(x1, y, c13);
                c23 = Vector256.FusedMultiplyAdd(x2, y, c23);
                c33 = Vector256.FusedMultiplyAdd(x3, y, c33);
            }

            Store(i, j, Vector256.Sum(c00) + Tail(a0, b0, p));
            Store(i, j + 1, Vector256.Sum(c01) + Tail(a0, b1, p));
            Store(i, j + 2, Vector256.Sum(c02) + Tail(a0, b2, p));
            Store(i, j + 3, Vector256.Sum(c03) + Tail(a0, b3, p));
            Store(i + 1, j, Vector256.Sum(c10) + Tail(a1, b0, p));
            Store(i + 1, j + 1, Vector256.Sum(c11) + Tail(a1, b1, p));
            Store(i + 1, j + 2, Vector256.Sum(c12) + Tail(a1, b2, p));
            Store(i + 1, j + 3, Vector256.Sum(c13) + Tail(a1, b3, p));
            Store(i + 2, j, Vector256.Sum(c20) + Tail(a2, b0, p));
            Store(i + 2, j + 1, Vector256.Sum(c21) + Tail(a2, b1, p));
            Store(i + 2, j + 2, Vector256.Sum(c22) + Tail(a2, b2, p));
            Store(i + 2, j + 3, Vector256.Sum(c23) + Tail(a2, b3, p));
            Store(i + 3, j, Vector256.Sum(c30) + Tail(a3, b0, p));
            Store(i + 3, j + 1, Vector256.Sum(c31) + Tail(a3, b1, p));
            Store(i + 3, j + 2, Vector256.Sum(c32) + Tail(a3, b2, p));
            Store(i + 3, j + 3, Vector256.Sum(c33) + Tail(a3, b3, p));
        }

        private float Tail(float* x, float* y, int p)
        {
            var s = 0f;
            for (; p < k; p++)
                s += x[p] * y[p];
            return s;
        }
    }

    private readonly struct TransposeBlocks(float* src, float* dst, int rows, int cols, int block) : IRowOperation
    {
        // One unit of work = a band of `block` source columns, which becomes a band of destination rows.
        public void Invoke(int start, int end)
        {
            for (var band = start; band < end; band++)
            {
                var c0 = band * block;
                var c1 = Math.Min(c0 + block, cols);
                for (var r0 = 0; r0 < rows; r0 += block)
                {
                    var r1 = Math.Min(r0 + block, rows);
                    for (var col = c0; col < c1; col++)
                    {
                        var d = dst + (long)col * rows;
                        for (var r = r0; r < r1; r++)
                            d[r] = src[(long)r * cols + col];
                    }
                }
            }
        }
    }
}
