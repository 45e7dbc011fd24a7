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
}
