using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;

namespace PretrainLab.Engine.Tests.Kernels;

public unsafe class GemmTests
{
    // (transposeA, transposeB): forward x·Wᵀ, backward dy·W and dyᵀ·x, and the fourth for completeness.
    private static readonly (bool A, bool B)[] Layouts = [(false, true), (false, false), (true, false), (true, true)];

    /// <summary>Every kernel this CPU can run.</summary>
    private static IEnumerable<GemmKernel> Kernels()
    {
        yield return GemmKernel.Scalar;
        if (Vector256.IsHardwareAccelerated)
            yield return GemmKernel.Vector256;
        if (Avx512F.IsSupported)
            yield return GemmKernel.Vector512;
    }

    private static float OpA(float[] a, bool transposed, int m, int k, int i, int p) => transposed ? a[p * m + i] : a[i * k + p];

    private static float OpB(float[] b, bool transposed, int n, int k, int p, int j) => transposed ? b[j * k + p] : b[p * n + j];

    /// <summary>
    /// The contract, element by element: one fused multiply-add chain over p in order, from C, the
    /// bias or zero. Every kernel must match it bit for bit.
    /// </summary>
    private static float[] ChainReference(float[] a, bool ta, float[] b, bool tb, float[] c0, float[]? bias, bool accumulate, int m, int n, int k)
    {
        var c = new float[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            var s = accumulate ? c0[i * n + j] : bias?[j] ?? 0f;
            for (var p = 0; p < k; p++)
                s = MathF.FusedMultiplyAdd(OpA(a, ta, m, k, i, p), OpB(b, tb, n, k, p, j), s);
            c[i * n + j] = s;
        }
        return c;
    }

    /// <summary>The same product in double, to check the chain is the product at all.</summary>
    private static double[] DoubleReference(float[] a, bool ta, float[] b, bool tb, float[]? bias, int m, int n, int k)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double s = bias?[j] ?? 0;
            for (var p = 0; p < k; p++)
                s += (double)OpA(a, ta, m, k, i, p) * OpB(b, tb, n, k, p, j);
            c[i * n + j] = s;
        }
        return c;
    }

    private static float[] Random(int length, int seed)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[length];
        for (var i = 0; i < length; i++)
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        // Residues around every kernel's tile rows (4, 6, 12) and columns (4, 16, 32), the 8- and
        // 4-row transposes of packing, and depths around the vector widths.
        foreach (var m in new[] { 1, 3, 5, 6, 7, 11, 12, 13, 25 })
        foreach (var n in new[] { 1, 4, 15, 16, 17, 31, 32, 33, 65 })
        foreach (var k in new[] { 1, 7, 8, 9, 17 })
            data.Add(m, n, k);
        // Depth blocks (KC = 192): one step short, exact, one over, several.
        foreach (var k in new[] { Gemm.DepthBlock - 1, Gemm.DepthBlock, Gemm.DepthBlock + 1, 2 * Gemm.DepthBlock + 5 })
            data.Add(13, 33, k);
        // Row and column blocks (MC = 144, NC = 1024): crossing both.
        data.Add(Gemm.RowBlock + 7, Gemm.ColumnBlock + 9, 11);
        data.Add(37, 130, 67);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryKernelAndLayoutGivesTheFmaChainBitsAndTheProduct(int m, int n, int k)
    {
        var a = Random(m * k, 1);
        var b = Random(n * k, 2);
        var bias = Random(n, 3);
        foreach (var (ta, tb) in Layouts)
        {
            var chain = ChainReference(a, ta, b, tb, [], bias, false, m, n, k);
            var product = DoubleReference(a, ta, b, tb, bias, m, n, k);
            for (var i = 0; i < chain.Length; i++)
                Assert.True(Math.Abs(chain[i] - product[i]) <= 1e-5 * (1 + Math.Abs(product[i])), $"chain C[{i}] = {chain[i]}, product {product[i]}");
            foreach (var kernel in Kernels())
            {
                var c = new float[m * n];
                Gemm.Multiply(kernel, new Parallelism(2), a, ta, b, tb, c, m, n, k, bias, accumulate: false);
                AssertBits(chain, c, $"{kernel} m={m} n={n} k={k} transposeA={ta} transposeB={tb}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(13, 33, 9)]
    [InlineData(64, 64, 32)]
    [InlineData(70, 40, 200)]
    public void StridedOperandsAreReadAndWrittenInPlace(int m, int n, int k)
    {
        // Each matrix sits in a wider one (as one head's columns sit in the fused q/k/v rows): NaN
        // around the inputs would poison any element read by mistake, and C's surroundings must stay.
        const int pad = 5;
        const float untouched = 12345f;
        var a = Random(m * k, 13);
        var b = Random(n * k, 14);
        var bias = Random(n, 15);
        foreach (var (ta, tb) in Layouts)
        {
            var expected = ChainReference(a, ta, b, tb, [], bias, false, m, n, k);
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
            var wideA = Embed(a, aRows, aCols, aCols + pad, float.NaN);
            var wideB = Embed(b, bRows, bCols, bCols + 2 * pad, float.NaN);
            foreach (var kernel in Kernels())
            {
                var wideC = Enumerable.Repeat(untouched, m * (n + 3 * pad)).ToArray();
                fixed (float* pa = wideA, pb = wideB, pc = wideC, pbias = bias)
                {
                    Gemm.Multiply(kernel, new Parallelism(2), pa, aCols + pad, ta, pb, bCols + 2 * pad, tb, pc, n + 3 * pad,
                        m, n, k, pbias, accumulate: false);
                }
                var c = new float[m * n];
                for (var i = 0; i < m; i++)
                {
                    Array.Copy(wideC, i * (n + 3 * pad), c, i * n, n);
                    Assert.All(wideC.AsSpan(i * (n + 3 * pad) + n, 3 * pad).ToArray(), v => Assert.Equal(untouched, v));
                }
                AssertBits(expected, c, $"{kernel} m={m} n={n} k={k} transposeA={ta} transposeB={tb}");
            }
        }
    }

    [Fact]
    public void LeadingDimensionShorterThanARowIsRejected()
    {
        var x = (float*)NativeMemory.Alloc(12 * sizeof(float));
        try
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
                Gemm.Multiply(Parallelism.Serial, x, 2, false, x, 3, true, x, 2, 2, 2, 3, null, false));
            Assert.Equal("lda", ex.ParamName);
        }
        finally
        {
            NativeMemory.Free(x);
        }
    }

    // The rows × cols matrix x in a rows × ld one, the rest filled with `fill`.
    private static float[] Embed(float[] x, int rows, int cols, int ld, float fill)
    {
        var wide = Enumerable.Repeat(fill, rows * ld).ToArray();
        for (var r = 0; r < rows; r++)
            Array.Copy(x, r * cols, wide, r * ld, cols);
        return wide;
    }

    [Theory]
    [InlineData(5, 17, 9)]
    [InlineData(13, 33, 200)]
    [InlineData(40, 70, 30)]
    public void AccumulateContinuesEachChainFromTheExistingOutput(int m, int n, int k)
    {
        var a = Random(m * k, 4);
        var b = Random(n * k, 5);
        var c0 = Random(m * n, 6);
        foreach (var (ta, tb) in Layouts)
        {
            var expected = ChainReference(a, ta, b, tb, c0, null, true, m, n, k);
            foreach (var kernel in Kernels())
            {
                var c = (float[])c0.Clone();
                Gemm.Multiply(kernel, Parallelism.Serial, a, ta, b, tb, c, m, n, k, default, accumulate: true);
                AssertBits(expected, c, $"{kernel} transposeA={ta} transposeB={tb}");
            }
        }
    }

    [Fact]
    public void WithoutBiasChainsStartFromZero()
    {
        const int m = 14, n = 35, k = 10;
        var a = Random(m * k, 7);
        var b = Random(n * k, 8);
        var expected = ChainReference(a, false, b, true, [], null, false, m, n, k);
        foreach (var kernel in Kernels())
        {
            var c = Random(m * n, 9);
            Gemm.Multiply(kernel, Parallelism.Serial, a, false, b, true, c, m, n, k, default, accumulate: false);
            AssertBits(expected, c, kernel.ToString());
        }
    }

    [Theory]
    [InlineData(200, 300, 100)]
    [InlineData(4, 3000, 200)]
    [InlineData(3000, 5, 300)]
    public void ResultIsBitIdenticalForAnyThreadCount(int m, int n, int k)
    {
        // Large enough to run in parallel; the second and third split along N and M only.
        var a = Random(m * k, 10);
        var b = Random(n * k, 11);
        var bias = Random(n, 12);
        foreach (var (ta, tb) in Layouts)
        {
            var serial = new float[m * n];
            Gemm.Multiply(Parallelism.Serial, a, ta, b, tb, serial, m, n, k, bias);
            foreach (var threads in new[] { 2, 3, 5 })
            {
                var parallel = new float[m * n];
                Gemm.Multiply(new Parallelism(threads), a, ta, b, tb, parallel, m, n, k, bias);
                AssertBits(serial, parallel, $"threads={threads} transposeA={ta} transposeB={tb}");
            }
        }
    }

    [Theory]
    [InlineData(768, 128, 512)]
    [InlineData(300, 40, 7)]
    [InlineData(13, 1000, 200)]
    public void APairGivesEachProductsOwnBits(int rows, int inF, int outF)
    {
        // A layer's backward: dx = dy·W (accumulating onto nothing) and dW += dyᵀ·x, and a pair of unequal work.
        var dy = Random(rows * outF, 13);
        var w = Random(outF * inF, 14);
        var x = Random(rows * inF, 15);
        var dw0 = Random(outF * inF, 16);
        foreach (var kernel in Kernels())
        {
            var dxSerial = new float[rows * inF];
            var dwSerial = (float[])dw0.Clone();
            Gemm.Multiply(kernel, Parallelism.Serial, dy, false, w, false, dxSerial, rows, inF, outF, default, accumulate: false);
            Gemm.Multiply(kernel, Parallelism.Serial, dy, true, x, false, dwSerial, outF, inF, rows, default, accumulate: true);
            foreach (var threads in new[] { 1, 2, 3, 4 })
            {
                var dx = new float[rows * inF];
                var dw = (float[])dw0.Clone();
                var small = new float[4];
                fixed (float* pdy = dy, pw = w, px = x, pdx = dx, pdw = dw, ps = small)
                {
                    Gemm.MultiplyPair(kernel, new Parallelism(threads),
                        Gemm.Problem.Dense(pdy, false, pw, false, pdx, rows, inF, outF, null, accumulate: false),
                        Gemm.Problem.Dense(pdy, true, px, false, pdw, outF, inF, rows, null, accumulate: true));
                    // And with a second product far smaller than the first.
                    Gemm.MultiplyPair(kernel, new Parallelism(threads),
                        Gemm.Problem.Dense(pdy, false, pw, false, pdx, rows, inF, outF, null, accumulate: false),
                        Gemm.Problem.Dense(pw, false, px, true, ps, 2, 2, 1, null, accumulate: false));
                }
                AssertBits(dxSerial, dx, $"{kernel} threads={threads} dx");
                AssertBits(dwSerial, dw, $"{kernel} threads={threads} dW");
                Assert.Equal(MathF.FusedMultiplyAdd(w[0], x[0], 0f), small[0]);
            }
        }
    }

    [Fact]
    public void ZeroDepthWritesTheBiasOrLeavesAnAccumulatedOutput()
    {
        var bias = new float[] { 1f, 2f, 3f };
        var c = new float[6];
        Gemm.MultiplyTransposed(Parallelism.Serial, [], [], c, 2, 3, 0, bias);
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], c);
        Gemm.MultiplyTransposed(Parallelism.Serial, [], [], c, 2, 3, 0, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], c);
    }

    [Fact]
    public void ShapeMismatchIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyTransposed(Parallelism.Serial, new float[5], new float[6], new float[6], 2, 3, 3));
        Assert.Contains("a has 5 elements, expected 6", ex.Message);
    }

    [Fact]
    public void BiasWhileAccumulatingIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyTransposed(Parallelism.Serial, new float[2], new float[2], new float[1], 1, 1, 2, [1f], accumulate: true));
        Assert.Contains("bias", ex.Message);
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: C[{i}] = {actual[i]:R}, expected {expected[i]:R}");
        }
    }
}
