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
