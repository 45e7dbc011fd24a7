using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Model;

/// <summary>The parallel gradient norm and scaling against scalar references, for any thread count.</summary>
public sealed class ParameterSetTests : IDisposable
{
    private readonly TensorArena _arena = new();

    public void Dispose() => _arena.Dispose();

    private ParameterSet Create(Parallelism parallelism, int length)
    {
        var set = new ParameterSet(parallelism);
        set.Declare("w", [length], ParameterKind.Vector, ParameterInit.Zeros);
        set.Allocate(_arena);
        GradientCheck.FillRandom(set.Grad.Span, 3, 2f);
        return set;
    }

    /// <summary>The documented order: chunks of <see cref="ParameterSet.NormChunk"/>, each summed as <see cref="Kernels.VectorMathTests.ReferenceSumOfSquares"/>, chunks in order.</summary>
    private static double ReferenceNorm(float[] g)
    {
        double sum = 0;
        for (var from = 0; from < g.Length; from += ParameterSet.NormChunk)
            sum += Kernels.VectorMathTests.ReferenceSumOfSquares(g.AsSpan(from, Math.Min(ParameterSet.NormChunk, g.Length - from)));
        return Math.Sqrt(sum);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(ParameterSet.NormChunk - 1)]
    [InlineData(5 * ParameterSet.NormChunk + 33)]
    public void GradNormHasTheSameBitsForAnyThreadCount(int length)
    {
        var g = Create(Parallelism.Serial, length).Grad.Span.ToArray();
        var expected = ReferenceNorm(g);
        double naive = 0;
        foreach (var x in g)
            naive += (double)x * x;
        Assert.Equal(Math.Sqrt(naive), expected, 1e-12 * Math.Sqrt(naive));
        foreach (var threads in new[] { 1, 2, 3, 7 })
            Assert.Equal(expected, Create(new Parallelism(threads), length).GradNorm());
    }

    [Fact]
    public void ScaleGradMultipliesEveryGradient()
    {
        const int length = 5 * ParameterSet.NormChunk + 33;
        foreach (var threads in new[] { 1, 2, 3 })
        {
            var set = Create(new Parallelism(threads), length);
            var expected = set.Grad.Span.ToArray();
            for (var i = 0; i < expected.Length; i++)
                expected[i] *= 0.37f;
            set.ScaleGrad(0.37f);
            Assert.Equal(expected, set.Grad.Span.ToArray());
        }
    }
}
