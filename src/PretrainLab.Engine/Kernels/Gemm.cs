using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PretrainLab.Engine.Compute;

namespace PretrainLab.Engine.Kernels;

/// <summary>
/// Single-precision matrix products <c>C[M,N] = op(A)·op(B) (+ bias[N])</c>, row-major, where op(A)
/// is A stored [M,K] or, transposed, [K,M], and op(B) is B stored [K,N] or, transposed, [N,K]. Layers
/// use three forms: <c>x·Wᵀ</c> forward, <c>dy·W</c> and <c>dyᵀ·x</c> backward, with no explicit
/// transposes. A strided form takes each operand as a block of columns of a wider matrix.
/// </summary>
/// <remarks>
/// <para>
/// GotoBLAS/BLIS blocking: for each block of <see cref="ColumnBlock"/> columns and
/// <see cref="DepthBlock"/> depth steps, B is packed into micro-panels (kept in L2/L3), then for each
/// block of <see cref="RowBlock"/> rows A is packed likewise (kept in L2), and a register-blocked
/// micro-kernel computes one tile of C per pair of micro-panels, with the B micro-panel in L1.
/// Packing reads either layout, which is how the transposed forms cost nothing extra. Packing
/// buffers are allocated once per thread.
/// </para>
/// <para>
/// Every element of C is one fused multiply-add chain <c>c ← fma(a[i,p], b[p,j], c)</c> for p = 0..K−1
/// in order, starting from C (when accumulating), the bias or 0, and computed by a single thread. The
/// result therefore depends neither on the thread count, nor on the blocking, nor on the vector
/// width: the AVX-512, AVX2 and scalar kernels give identical bits.
/// </para>
/// </remarks>
public static unsafe class Gemm
{
    /// <summary>KC: depth steps per packed panel; a 32-wide B micro-panel of this depth fills half of L1.</summary>
    internal const int DepthBlock = 192;

    /// <summary>MC: rows of A packed at a time (a multiple of every kernel's MR); the block stays in L2.</summary>
    internal const int RowBlock = 144;

    /// <summary>NC: columns of B packed at a time (a multiple of every kernel's NR).</summary>
    internal const int ColumnBlock = 1024;

    /// <summary>Columns of C up to which a product with A stored [M, K] runs on <see cref="DirectGemm"/> (see <c>IsDirect</c>).</summary>
    internal const int DirectColumns = 128;

    // Below this many FLOPs (~15 µs of work) a product runs on the calling thread: handing part of it
    // to a sleeping worker would not pay.
    private const long ParallelFlops = 1L << 22;

    private const int MaxTile = 12 * 32;
    private const int BufferFloats = RowBlock * DepthBlock + DepthBlock * ColumnBlock + MaxTile;

    [ThreadStatic]
    private static float[]? t_buffer;

    /// <summary>The fastest kernel this CPU runs.</summary>
    internal static GemmKernel BestKernel { get; } =
        Avx512F.IsSupported ? GemmKernel.Vector512 : Vector256.IsHardwareAccelerated ? GemmKernel.Vector256 : GemmKernel.Scalar;

    /// <summary>
    /// Computes <c>C[i,j] = Σ_p A[i,p]·B[j,p] + bias[j]</c> with A [M,K] and B [N,K] (bias optional);
    /// when <paramref name="accumulate"/> is set, adds the product to the existing C instead.
    /// </summary>
    public static void MultiplyTransposed(
        Parallelism parallelism, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, ReadOnlySpan<float> bias = default, bool accumulate = false) =>
        Multiply(parallelism, a, false, b, true, c, m, n, k, bias, accumulate);

    /// <summary>Pointer form of <see cref="MultiplyTransposed(Parallelism, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, ReadOnlySpan{float}, bool)"/>.</summary>
    public static void MultiplyTransposed(
        Parallelism parallelism, float* a, float* b, float* c, int m, int n, int k, float* bias, bool accumulate) =>
        Multiply(parallelism, a, false, b, true, c, m, n, k, bias, accumulate);

    /// <summary>
    /// Computes <c>C[i,j] = Σ_p op(A)[i,p]·op(B)[p,j] + bias[j]</c> for C [M,N], where op(A)[i,p] is
    /// <c>A[i·K + p]</c> (A stored [M,K]) or, with <paramref name="transposeA"/>, <c>A[p·M + i]</c>
    /// (A stored [K,M]), and op(B)[p,j] is <c>B[p·N + j]</c> (B stored [K,N]) or, with
    /// <paramref name="transposeB"/>, <c>B[j·K + p]</c> (B stored [N,K]). With
    /// <paramref name="accumulate"/> the product is added to the existing C, and there is no bias.
    /// </summary>
    public static void Multiply(
        Parallelism parallelism, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        Span<float> c, int m, int n, int k, ReadOnlySpan<float> bias = default, bool accumulate = false) =>
        Multiply(BestKernel, parallelism, a, transposeA, b, transposeB, c, m, n, k, bias, accumulate);

    /// <summary>Pointer form of <see cref="Multiply(Parallelism, ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, ReadOnlySpan{float}, bool)"/>.</summary>
    public static void Multiply(
        Parallelism parallelism, float* a, bool transposeA, float* b, bool transposeB, float* c,
        int m, int n, int k, float* bias, bool accumulate) =>
        Multiply(BestKernel, parallelism, a, transposeA ? m : k, transposeA, b, transposeB ? k : n, transposeB, c, n, m, n, k, bias, accumulate);

    /// <summary>
    /// The strided form of <see cref="Multiply(Parallelism, float*, bool, float*, bool, float*, int, int, int, float*, bool)"/>:
    /// consecutive stored rows of A, B and C start <paramref name="lda"/>, <paramref name="ldb"/> and
    /// <paramref name="ldc"/> floats apart (at least the row lengths), so that each can be a block of
    /// columns of a wider matrix, for example one head's queries in the fused q/k/v rows.
    /// </summary>
    public static void Multiply(
        Parallelism parallelism, float* a, long lda, bool transposeA, float* b, long ldb, bool transposeB, float* c, long ldc,
        int m, int n, int k, float* bias, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, transposeA ? m : k);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, transposeB ? k : n);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, n);
        Multiply(BestKernel, parallelism, a, lda, transposeA, b, ldb, transposeB, c, ldc, m, n, k, bias, accumulate);
    }

    /// <summary>The span form on a chosen kernel (tests run every kernel the CPU supports).</summary>
    internal static void Multiply(
        GemmKernel kernel, Parallelism parallelism, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b,
        bool transposeB, Span<float> c, int m, int n, int k, ReadOnlySpan<float> bias, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckShape(a.Length, (long)m * k, nameof(a));
        CheckShape(b.Length, (long)n * k, nameof(b));
        CheckShape(c.Length, (long)m * n, nameof(c));
        if (!bias.IsEmpty)
            CheckShape(bias.Length, n, nameof(bias));
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            Multiply(kernel, parallelism, pa, transposeA ? m : k, transposeA, pb, transposeB ? k : n, transposeB, pc, n,
                m, n, k, bias.IsEmpty ? null : pbias, accumulate);
        }
    }

    /// <summary>The strided pointer form on a chosen kernel.</summary>
    internal static void Multiply(
        GemmKernel kernel, Parallelism parallelism, float* a, long lda, bool transposeA, float* b, long ldb, bool transposeB,
        float* c, long ldc, int m, int n, int k, float* bias, bool accumulate)
    {
        var problem = new Problem(a, lda, transposeA, b, ldb, transposeB, c, ldc, m, n, k, bias, accumulate);
        switch (kernel)
        {
            case GemmKernel.Vector512:
                RunWhole<MicroKernel512>(parallelism, problem);
                break;
            case GemmKernel.Vector256:
                RunWhole<MicroKernel256>(parallelism, problem);
                break;
            default:
                RunWhole<ScalarMicroKernel>(parallelism, problem);
                break;
        }
    }

    private static void CheckShape(long actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements, expected {expected}", name);
    }

    private static void Fill(float* c, long ldc, int m, int n, float* bias)
    {
        for (var i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (bias is null)
                row.Clear();
            else
                new ReadOnlySpan<float>(bias, n).CopyTo(row);
        }
    }

    /// <summary>
    /// Cuts C into tasks of whole tiles and runs them. Small products run on the calling thread; larger
    /// ones are split along the longer side first, because each task packs all of the other operand.
    /// </summary>
    private static void Run<TKernel>(Parallelism parallelism, in Problem problem)
        where TKernel : struct, IMicroKernel
    {
        // One task per thread: each task packs all of the other operand, which costs more than finer
        // tasks gain in balance (measured on the tiny and baby models).
        var op = Split<TKernel>(problem, problem.Flops < ParallelFlops ? 1 : parallelism.Threads);
        var count = op.Count;
        if (count == 1)
            op.Invoke(0, 1);
        else
            parallelism.For(count, op, minRowsPerChunk: 1, chunksPerThread: count);
    }

    /// <summary>
    /// The tasks of one product cut into at most <paramref name="tasks"/> blocks of whole tiles, the
    /// longer side first; or, for a product that <see cref="DirectGemm"/> runs better, into blocks of rows.
    /// </summary>
    private static Tasks<TKernel> Split<TKernel>(in Problem problem, int tasks)
        where TKernel : struct, IMicroKernel
    {
        if (IsDirect<TKernel>(problem))
        {
            var tiles = (problem.M + DirectGemm.TileRows - 1) / DirectGemm.TileRows;
            return new Tasks<TKernel>(problem, tiles, 1, Math.Min(tasks, tiles), 1, direct: true);
        }
        var tilesM = (problem.M + TKernel.Rows - 1) / TKernel.Rows;
        var tilesN = (problem.N + TKernel.Columns - 1) / TKernel.Columns;
        int partsM, partsN;
        if (problem.M >= problem.N)
        {
            partsM = Math.Min(tasks, tilesM);
            partsN = Math.Min(tilesN, (tasks + partsM - 1) / partsM);
        }
        else
        {
            partsN = Math.Min(tasks, tilesN);
            partsM = Math.Min(tilesM, (tasks + partsN - 1) / partsN);
        }
        return new Tasks<TKernel>(problem, tilesM, tilesN, partsM, partsN, direct: false);
    }

    /// <summary>
    /// Whether the product goes to <see cref="DirectGemm"/> (the same bits): A stored [M, K] and at most
    /// <see cref="DirectColumns"/> columns, where packing A costs more than it saves, because each
    /// packed block of A would serve only a few micro-panels of B. Measured with the AVX-512 kernels
    /// only, so the others keep packing.
    /// </summary>
    private static bool IsDirect<TKernel>(in Problem problem)
        where TKernel : struct, IMicroKernel =>
        TKernel.Columns == MicroKernel512.Columns && !problem.TransposeA && problem.N <= DirectColumns;

    /// <summary>
    /// Computes two independent products, each exactly as <see cref="Multiply(Parallelism, float*, long, bool, float*, long, bool, float*, long, int, int, int, float*, bool)"/>
    /// would (so with the same bits), in one parallel loop: the threads are shared between them in
    /// proportion to their work. A layer's backward, <c>dy·W</c> and <c>dyᵀ·x</c> (equal work), thus
    /// costs one hand-off instead of two, and on two threads each product runs whole on one thread,
    /// packing its operands once instead of once per thread. Neither C may overlap the other's operands.
    /// </summary>
    internal static void MultiplyPair(Parallelism parallelism, in Problem first, in Problem second) =>
        MultiplyPair(BestKernel, parallelism, first, second);

    /// <summary><see cref="MultiplyPair(Parallelism, in Problem, in Problem)"/> on a chosen kernel.</summary>
    internal static void MultiplyPair(GemmKernel kernel, Parallelism parallelism, in Problem first, in Problem second)
    {
        switch (kernel)
        {
            case GemmKernel.Vector512:
                RunPair<MicroKernel512>(parallelism, first, second);
                break;
            case GemmKernel.Vector256:
                RunPair<MicroKernel256>(parallelism, first, second);
                break;
            default:
                RunPair<ScalarMicroKernel>(parallelism, first, second);
                break;
        }
    }

    private static void RunPair<TKernel>(Parallelism parallelism, in Problem first, in Problem second)
        where TKernel : struct, IMicroKernel
    {
        if (first.IsEmpty || second.IsEmpty || parallelism.Threads == 1 || first.Flops + second.Flops < 2 * ParallelFlops)
        {
            RunWhole<TKernel>(parallelism, first);
            RunWhole<TKernel>(parallelism, second);
            return;
        }
        var threads = parallelism.Threads;
        var firstTasks = (int)Math.Clamp(Math.Round((double)threads * first.Flops / (first.Flops + second.Flops)), 1, threads - 1);
        var pair = new PairTasks<TKernel>(Split<TKernel>(first, firstTasks), Split<TKernel>(second, threads - firstTasks));
        parallelism.For(pair.Count, pair, minRowsPerChunk: 1, chunksPerThread: pair.Count);
    }

    /// <summary>One product through the checks and special cases of the single form.</summary>
    private static void RunWhole<TKernel>(Parallelism parallelism, in Problem p)
        where TKernel : struct, IMicroKernel
    {
        if (p.IsEmpty)
        {
            if (p.M > 0 && p.N > 0 && !p.Accumulate)
                Fill(p.C, p.Ldc, p.M, p.N, p.Bias);
            return;
        }
        Run<TKernel>(parallelism, p);
    }

    /// <summary>This thread's packing buffers, 64-byte aligned: allocated on first use, pinned, reused.</summary>
    private static float* ThreadBuffer()
    {
        var buffer = t_buffer ??= GC.AllocateUninitializedArray<float>(BufferFloats + 16, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }

    /// <summary>Operands, shapes and leading dimensions of one product (see the strided <c>Multiply</c>).</summary>
    internal readonly struct Problem
    {
        public readonly float* A;
        public readonly long Lda;
        public readonly bool TransposeA;
        public readonly float* B;
        public readonly long Ldb;
        public readonly bool TransposeB;
        public readonly float* C;
        public readonly long Ldc;
        public readonly int M;
        public readonly int N;
        public readonly int K;
        public readonly float* Bias;
        public readonly bool Accumulate;

        public Problem(float* a, long lda, bool transposeA, float* b, long ldb, bool transposeB, float* c, long ldc, int m, int n, int k,
            float* bias, bool accumulate)
        {
            if (accumulate && bias is not null)
                throw new ArgumentException("a bias cannot be added while accumulating", nameof(bias));
            ArgumentOutOfRangeException.ThrowIfNegative(m);
            ArgumentOutOfRangeException.ThrowIfNegative(n);
            ArgumentOutOfRangeException.ThrowIfNegative(k);
            A = a;
            Lda = lda;
            TransposeA = transposeA;
            B = b;
            Ldb = ldb;
            TransposeB = transposeB;
            C = c;
            Ldc = ldc;
            M = m;
            N = n;
            K = k;
            Bias = bias;
            Accumulate = accumulate;
        }

        /// <summary>A product of packed layouts: the leading dimensions are the row lengths.</summary>
        public static Problem Dense(float* a, bool transposeA, float* b, bool transposeB, float* c, int m, int n, int k, float* bias,
            bool accumulate) =>
            new(a, transposeA ? m : k, transposeA, b, transposeB ? k : n, transposeB, c, n, m, n, k, bias, accumulate);

        /// <summary>Multiply-adds: 2·M·N·K.</summary>
        public long Flops => 2L * M * N * K;

        /// <summary>Whether there is nothing to multiply (C is empty, or K is 0 and C is the bias or zero).</summary>
        public bool IsEmpty => M == 0 || N == 0 || K == 0;
    }

    /// <summary>The tasks of two products in one loop: the first's, then the second's.</summary>
    private readonly struct PairTasks<TKernel>(Tasks<TKernel> first, Tasks<TKernel> second) : IRowOperation
        where TKernel : struct, IMicroKernel
    {
        public int Count => first.Count + second.Count;

        public void Invoke(int start, int end)
        {
            for (var t = start; t < end; t++)
            {
                if (t < first.Count)
                    first.Invoke(t, t + 1);
                else
                    second.Invoke(t - first.Count, t - first.Count + 1);
            }
        }
    }

    /// <summary>
    /// Task t computes the rows of part t / partsN and the columns of part t % partsN, over all of K;
    /// for a direct product, tiles are <see cref="DirectGemm.TileRows"/> rows and a task takes whole rows.
    /// </summary>
    private readonly struct Tasks<TKernel>(Problem problem, int tilesM, int tilesN, int partsM, int partsN, bool direct) : IRowOperation
        where TKernel : struct, IMicroKernel
    {
        public int Count => partsM * partsN;

        public void Invoke(int start, int end)
        {
            if (direct)
            {
                for (var t = start; t < end; t++)
                {
                    var m0 = (int)((long)tilesM * t / partsM) * DirectGemm.TileRows;
                    var m1 = Math.Min(problem.M, (int)((long)tilesM * (t + 1) / partsM) * DirectGemm.TileRows);
                    var p = problem;
                    DirectGemm.Multiply(p.A + m0 * p.Lda, p.Lda, false, p.B, p.Ldb, p.TransposeB, p.C + m0 * p.Ldc, p.Ldc, m1 - m0, p.N, p.K,
                        p.Bias, p.Accumulate, Triangle.None, floatsPerVector: 16);
                }
                return;
            }
            var buffer = ThreadBuffer();
            for (var t = start; t < end; t++)
            {
                int pm = t / partsN, pn = t % partsN;
                var m0 = (int)((long)tilesM * pm / partsM) * TKernel.Rows;
                var m1 = Math.Min(problem.M, (int)((long)tilesM * (pm + 1) / partsM) * TKernel.Rows);
                var n0 = (int)((long)tilesN * pn / partsN) * TKernel.Columns;
                var n1 = Math.Min(problem.N, (int)((long)tilesN * (pn + 1) / partsN) * TKernel.Columns);
                Compute(m0, m1, n0, n1, buffer);
            }
        }

        private void Compute(int m0, int m1, int n0, int n1, float* buffer)
        {
            var packA = buffer;
            var packB = packA + RowBlock * DepthBlock;
            var tile = packB + DepthBlock * ColumnBlock;
            var p = problem;
            for (var jc = n0; jc < n1; jc += ColumnBlock)
            {
                var nc = Math.Min(ColumnBlock, n1 - jc);
                for (var pc = 0; pc < p.K; pc += DepthBlock)
                {
                    var kc = Math.Min(DepthBlock, p.K - pc);
                    if (p.TransposeB)
                        PanelPacking.PackTransposing(p.B + jc * p.Ldb + pc, p.Ldb, nc, kc, TKernel.Columns, packB);
                    else
                        PanelPacking.PackCopying(p.B + pc * p.Ldb + jc, p.Ldb, nc, kc, TKernel.Columns, packB);
                    // The first depth block starts each chain from C, the bias or zero; later ones continue it.
                    var load = pc > 0 || p.Accumulate;
                    var bias = load || p.Bias is null ? null : p.Bias + jc;
                    for (var ic = m0; ic < m1; ic += RowBlock)
                    {
                        var mc = Math.Min(RowBlock, m1 - ic);
                        if (p.TransposeA)
                            PanelPacking.PackCopying(p.A + pc * p.Lda + ic, p.Lda, mc, kc, TKernel.Rows, packA);
                        else
                            PanelPacking.PackTransposing(p.A + ic * p.Lda + pc, p.Lda, mc, kc, TKernel.Rows, packA);
                        for (var jr = 0; jr < nc; jr += TKernel.Columns)
                        {
                            var cols = Math.Min(TKernel.Columns, nc - jr);
                            var b = packB + jr * kc;
                            var tileBias = bias is null ? null : bias + jr;
                            for (var ir = 0; ir < mc; ir += TKernel.Rows)
                            {
                                var rows = Math.Min(TKernel.Rows, mc - ir);
                                var c = p.C + (ic + ir) * p.Ldc + jc + jr;
                                if (rows == TKernel.Rows && cols == TKernel.Columns)
                                    TKernel.Run(kc, packA + ir * kc, b, c, p.Ldc, load, tileBias);
                                else
                                    EdgeTile(kc, packA + ir * kc, b, c, rows, cols, load, tileBias, tile);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>A partial tile, computed whole in <paramref name="tile"/> (the panels are zero-padded) and copied out.</summary>
        private void EdgeTile(int kc, float* a, float* b, float* c, int rows, int cols, bool load, float* bias, float* tile)
        {
            var width = TKernel.Columns;
            new Span<float>(tile, TKernel.Rows * width).Clear();
            if (load || bias is not null)
            {
                for (var i = 0; i < rows; i++)
                    new ReadOnlySpan<float>(load ? c + i * problem.Ldc : bias, cols).CopyTo(new Span<float>(tile + i * width, cols));
            }
            TKernel.Run(kc, a, b, tile, width, load: true, bias: null);
            for (var i = 0; i < rows; i++)
                new ReadOnlySpan<float>(tile + i * width, cols).CopyTo(new Span<float>(c + i * problem.Ldc, cols));
        }
    }
}
