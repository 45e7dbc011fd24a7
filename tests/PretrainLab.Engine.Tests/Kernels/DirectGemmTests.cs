using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PretrainLab.Engine.Kernels;

namespace PretrainLab.Engine.Tests.Kernels;

/// <summary>The unpacked attention products against the chain reference, at every width and triangle.</summary>
public unsafe class DirectGemmTests
{
    private static IEnumerable<int> Widths()
    {
        yield return 1;
        if (Vector256.IsHardwareAccelerated)
            yield return 8;
        if (Avx512F.IsSupported)
            yield return 16;
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 8, 32, 32 }, { 16, 16, 64 }, { 19, 24, 19 }, { 64, 32, 64 }, { 64, 64, 32 }, { 13, 40, 7 }, { 24, 33, 17 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryWidthAndTriangleGivesTheChainsBits(int m, int n, int k)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        float Next() => (float)(rng.NextDouble() * 2 - 1);
        foreach (var triangle in new[] { Triangle.None, Triangle.Output, Triangle.LowerA, Triangle.UpperA })
        foreach (var ta in new[] { false, true })
        foreach (var tb in new[] { false, true })
        foreach (var accumulate in new[] { false, true })
        {
            // Padded leading dimensions, as for one head's columns of wider rows.
            long lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
            var a = new float[(ta ? k : m) * lda];
            var b = new float[(tb ? n : k) * ldb];
            var c0 = new float[m * ldc];
            for (var i = 0; i < a.Length; i++) a[i] = Next();
            for (var i = 0; i < b.Length; i++) b[i] = Next();
            for (var i = 0; i < c0.Length; i++) c0[i] = Next();
            // The triangles promise zeros in op(A): make them so.
            for (var i = 0; i < m; i++)
            for (var p = 0; p < k; p++)
            {
                if ((triangle == Triangle.LowerA && p > i) || (triangle == Triangle.UpperA && p < i))
                    a[ta ? p * lda + i : i * lda + p] = 0f;
            }
            float OpA(int i, int p) => ta ? a[p * lda + i] : a[i * lda + p];
            foreach (var width in Widths())
            {
                var c = (float[])c0.Clone();
                fixed (float* pa = a, pb = b, pc = c)
                    DirectGemm.Multiply(pa, lda, ta, pb, ldb, tb, pc, ldc, m, n, k, null, accumulate, triangle, width);
                for (var i = 0; i < m; i++)
                for (var j = 0; j < n; j++)
                {
                    if (triangle == Triangle.Output && j > i)
                        continue;
                    var s = accumulate ? c0[i * ldc + j] : 0f;
                    for (var p = 0; p < k; p++)
                        s = MathF.FusedMultiplyAdd(OpA(i, p), tb ? b[j * ldb + p] : b[p * ldb + j], s);
                    // Skipped zero terms may turn a -0 into +0 and nothing else; == treats them alike.
                    Assert.True(s == c[i * ldc + j], $"{triangle} ta={ta} tb={tb} acc={accumulate} width={width} C[{i},{j}] = {c[i * ldc + j]}, expected {s}");
                }
                // Padding columns of C are never written.
                for (var i = 0; i < m; i++)
                    Assert.Equal(c0[i * ldc + n], c[i * ldc + n]);
            }
        }
    }
}
