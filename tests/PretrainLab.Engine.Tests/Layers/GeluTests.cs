using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Layers;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Layers;

/// <summary>The vectorised GELU against the tanh formula in double, and its independence of chunking.</summary>
public sealed class GeluTests : IDisposable
{
    private readonly TensorArena _arena = new();

    public void Dispose() => _arena.Dispose();

    private static double Inner(double x) => Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);

    private static double TanhForm(double x) => 0.5 * x * (1 + Math.Tanh(Inner(x)));

    // The same function as x·σ(2u), which keeps its relative accuracy where 1 + tanh(u) underflows.
    private static double Reference(double x) => x / (1 + Math.Exp(-2 * Inner(x)));

    private static double ReferenceDerivative(double x)
    {
        var k = Math.Sqrt(2 / Math.PI);
        var t = Math.Tanh(k * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x);
    }

    [Fact]
    public void ValueAndDerivativeMatchTheFormulaInDouble()
    {
        const int n = 24001;
        var gelu = new Gelu(new Workspace(new Parallelism(2)));
        var x = _arena.Allocate(n);
        for (var i = 0; i < n; i++)
            x.Span[i] = -12f + 0.001f * i;
        var y = _arena.Allocate(n);
        var ones = _arena.Allocate(n);
        ones.Span.Fill(1f);
        var dx = _arena.Allocate(n);
        gelu.Forward(x, y, n);
        gelu.Backward(x, ones, dx, n);
        for (var i = 0; i < n; i++)
        {
            double v = x.Span[i];
            var expected = Reference(v);
            Assert.True(Math.Abs(expected - TanhForm(v)) <= 1e-14 * (1 + Math.Abs(v)), $"the two forms differ at {v}");
            // Relative 1e-6 where the value is not tiny; below x = −3 the float rounding of u dominates
            // (relative error ~1e-7·|2u|, still far below that of 1 + tanh(u) in float), so absolute.
            var error = Math.Abs(y.Span[i] - expected);
            Assert.True(v >= -3 ? error <= 1e-6 * Math.Abs(expected) : error <= 1e-8, $"gelu({v}) = {y.Span[i]}, expected {expected}");
            // The derivative lies in [-0.17, 1.13] and crosses zero, so its error is measured against 1.
            var slope = ReferenceDerivative(v);
            Assert.True(Math.Abs(dx.Span[i] - slope) <= 1e-6, $"gelu'({v}) = {dx.Span[i]}, expected {slope}");
        }
    }

    [Fact]
    public void EveryElementHasTheSameBitsWhateverChunkItFallsIn()
    {
        const int n = 1000;
        var x = _arena.Allocate(n);
        GradientCheck.FillRandom(x.Span, 5, 4f);
        var dy = _arena.Allocate(n);
        GradientCheck.FillRandom(dy.Span, 6, 1f);
        var whole = Run(new Parallelism(1), x, dy, n);
        foreach (var threads in new[] { 2, 3, 7 })
        {
            var split = Run(new Parallelism(threads), x, dy, n);
            Assert.Equal(whole.Y, split.Y);
            Assert.Equal(whole.Dx, split.Dx);
        }

        // Odd offsets and lengths put each element in a different vector lane or in the padded tail.
        foreach (var offset in new[] { 1, 5, 13 })
        {
            var part = Run(Parallelism.Serial, x.Slice(offset, n - offset - 3), dy.Slice(offset, n - offset - 3), n - offset - 3);
            Assert.Equal(whole.Y[offset..(n - 3)], part.Y);
            Assert.Equal(whole.Dx[offset..(n - 3)], part.Dx);
        }
    }

    private (float[] Y, float[] Dx) Run(Parallelism parallelism, Tensor x, Tensor dy, int n)
    {
        // Chunks of at least 32768 elements: repeat the input so that several threads get work.
        const int copies = 100;
        var gelu = new Gelu(new Workspace(parallelism));
        var xs = _arena.Allocate(n * copies);
        var dys = _arena.Allocate(n * copies);
        for (var c = 0; c < copies; c++)
        {
            x.Span.CopyTo(xs.Span[(c * n)..]);
            dy.Span.CopyTo(dys.Span[(c * n)..]);
        }
        var y = _arena.Allocate(n * copies);
        var dx = _arena.Allocate(n * copies);
        gelu.Forward(xs, y, n * copies);
        gelu.Backward(xs, dys, dx, n * copies);
        for (var c = 1; c < copies; c++)
        {
            Assert.Equal(y.Span[..n].ToArray(), y.Span.Slice(c * n, n).ToArray());
            Assert.Equal(dx.Span[..n].ToArray(), dx.Span.Slice(c * n, n).ToArray());
        }
        return (y.Span[..n].ToArray(), dx.Span[..n].ToArray());
    }
}
