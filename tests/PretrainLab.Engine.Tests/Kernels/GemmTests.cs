using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;

namespace PretrainLab.Engine.Tests.Kernels;

public class GemmTests
{
    // Scalar reference in double: C[i,j] = Σ_p A[i,p]·B[j,p] + bias[j].
    private static double[] Reference(float[] a, float[] b, float[]? bias, int m, int n, int k)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double s = bias?[j] ?? 0;
            for (var p = 0; p < k; p++)
                s += (double)a[i * k + p] * b[j * k + p];
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
        // Every residue around the 4x4 tile and the 8-wide vector, plus panel-crossing sizes.
        foreach (var m in new[] { 1, 3, 4, 5, 8, 9 })
        foreach (var n in new[] { 1, 4, 7, 65 })
        foreach (var k in new[] { 1, 7, 8, 9, 16, 33 })
            data.Add(m, n, k);
        data.Add(37, 130, 67);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesScalarReference(int m, int n, int k)
    {
        var a = Random(m * k, 1);
        var b = Random(n * k, 2);
        var bias = Random(n, 3);
        var c = new float[m * n];
        Gemm.MultiplyTransposed(new Parallelism(2), a, b, c, m, n, k, bias);
        var expected = Reference(a, b, bias, m, n, k);
        for (var i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"C[{i}] = {c[i]}, expected {expected[i]} (m={m} n={n} k={k})");
    }

    [Fact]
    public void AccumulateAddsToExistingOutput()
    {
        const int m = 6, n = 5, k = 11;
        var a = Random(m * k, 4);
        var b = Random(n * k, 5);
        var c = Random(m * n, 6);
        var before = (float[])c.Clone();
        Gemm.MultiplyTransposed(Parallelism.Serial, a, b, c, m, n, k, accumulate: true);
        var product = Reference(a, b, null, m, n, k);
        for (var i = 0; i < c.Length; i++)
            Assert.Equal(before[i] + product[i], c[i], 5);
    }

    [Fact]
    public void ResultIsBitIdenticalForAnyThreadCount()
    {
        const int m = 70, n = 90, k = 45;
        var a = Random(m * k, 7);
        var b = Random(n * k, 8);
        var serial = new float[m * n];
        var parallel = new float[m * n];
        Gemm.MultiplyTransposed(Parallelism.Serial, a, b, serial, m, n, k);
        Gemm.MultiplyTransposed(new Parallelism(3), a, b, parallel, m, n, k);
        Assert.Equal(serial, parallel);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 70)]
    [InlineData(33, 65)]
    public void TransposeSwapsIndices(int rows, int cols)
    {
        var src = Random(rows * cols, 9);
        var dst = new float[rows * cols];
        Gemm.Transpose(new Parallelism(2), src, dst, rows, cols);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
            Assert.Equal(src[r * cols + c], dst[c * rows + r]);
    }

    [Fact]
    public void ShapeMismatchIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyTransposed(Parallelism.Serial, new float[5], new float[6], new float[6], 2, 3, 3));
        Assert.Contains("a has 5 elements, expected 6", ex.Message);
    }
}
