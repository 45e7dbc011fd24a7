using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PretrainLab.Engine.Kernels;

namespace PretrainLab.Engine.Tests.Kernels;

public unsafe class VectorMathTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(17)]
    public void DotAxpyAddMatchScalarLoops(int length)
    {
        var x = new float[length];
        var y = new float[length];
        for (var i = 0; i < length; i++)
        {
            x[i] = 0.5f + i;
            y[i] = 1.25f - 0.5f * i;
        }
        double dot = 0;
        for (var i = 0; i < length; i++)
            dot += (double)x[i] * y[i];
        var axpy = new float[length];
        var sum = new float[length];
        for (var i = 0; i < length; i++)
        {
            axpy[i] = y[i] + 3f * x[i];
            sum[i] = x[i] + y[i];
        }

        fixed (float* px = x, py = y)
        {
            Assert.Equal(dot, VectorMath.Dot(px, py, length), 3);
            var z = new float[length];
            fixed (float* pz = z)
                VectorMath.Add(px, py, pz, length);
            Assert.Equal(sum, z);
            VectorMath.Axpy(3f, px, py, length);
        }
        Assert.Equal(axpy, y);
    }

    /// <summary>
    /// The order <see cref="VectorMath.SumOfSquares(float*, int)"/> documents, one element at a time:
    /// element i into sum i mod 16, then sum j += sum j + w for w = 8, 4, 2, 1.
    /// </summary>
    internal static double ReferenceSumOfSquares(ReadOnlySpan<float> x)
    {
        var sums = new double[16];
        for (var i = 0; i < x.Length; i++)
            sums[i % 16] += (double)x[i] * x[i];
        for (var w = 8; w > 0; w /= 2)
        {
            for (var j = 0; j < w; j++)
                sums[j] += sums[j + w];
        }
        return sums[0];
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(1000)]
    public void SumOfSquaresHasTheReferenceBitsAtEveryWidth(int length)
    {
        var x = new float[length];
        // Magnitudes over many binades, so that the order of the additions shows in the last bits.
        GradientCheck.FillRandom(x, 9, 1f);
        for (var i = 0; i < length; i++)
            x[i] *= MathF.Pow(2f, i % 23 - 11);
        var expected = ReferenceSumOfSquares(x);
        fixed (float* px = x)
        {
            Assert.Equal(expected, VectorMath.SumOfSquares(px, length));
            Assert.Equal(expected, VectorMath.SumOfSquares(px, length, 1));
            Assert.Equal(expected, VectorMath.SumOfSquares(px, length, 8));
            if (Avx512F.IsSupported)
                Assert.Equal(expected, VectorMath.SumOfSquares(px, length, 16));
        }
    }

    private static float Exp256(float x) => VectorMath.Exp(Vector256.Create(x)).GetElement(3);

    [Fact]
    public void ExpIsWithinTwoUlpOverTheNormalRange()
    {
        var worst = 0.0;
        for (var x = -87.33f; x < 88.72f; x += 0.00731f)
            worst = Math.Max(worst, Ulps(Exp256(x), Math.Exp(x)));
        foreach (var x in new[] { -87.336f, -1e-7f, 1e-7f, 0.34657f, -0.34657f, 88.722f, 88.7228f })
            worst = Math.Max(worst, Ulps(Exp256(x), Math.Exp(x)));
        Assert.True(worst <= 2, $"worst error {worst:F2} ulp");
    }

    [Fact]
    public void ExpHandlesTheEdgesOfItsRange()
    {
        Assert.Equal(1f, Exp256(0f));
        Assert.Equal(0f, Exp256(-88f));
        Assert.Equal(0f, Exp256(float.NegativeInfinity));
        Assert.Equal(float.PositiveInfinity, Exp256(89f));
        Assert.Equal(float.PositiveInfinity, Exp256(float.PositiveInfinity));
        Assert.True(float.IsNaN(Exp256(float.NaN)));
        Assert.True(float.IsFinite(Exp256(88.72283f)));
    }

    [Fact]
    public void ExpGivesTheSameBitsAtBothWidths()
    {
        if (!Avx512F.IsSupported)
            return;
        for (var x = -90f; x < 90f; x += 0.0137f)
        {
            var wide = VectorMath.Exp(Vector512.Create(x)).GetElement(11);
            Assert.Equal(BitConverter.SingleToInt32Bits(Exp256(x)), BitConverter.SingleToInt32Bits(wide));
        }
    }

    // |actual − expected| in units of the float spacing at the expected value.
    private static double Ulps(float actual, double expected) =>
        Math.Abs(actual - expected) / ((double)MathF.BitIncrement((float)expected) - (float)expected);
}
