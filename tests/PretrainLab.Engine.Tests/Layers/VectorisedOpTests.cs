using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Layers;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Layers;

/// <summary>
/// The vectorised element-wise and row kernels against scalar references, at lengths on both sides of
/// the 8- and 16-lane boundaries: bit for bit where the kernel promises the scalar operations, within
/// float rounding where a vector reduction reorders a sum.
/// </summary>
public sealed unsafe class VectorisedOpTests : IDisposable
{
    public static TheoryData<int> Lengths => new() { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 100 };

    public static TheoryData<int> Widths => new() { 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 100 };

    private readonly TensorArena _arena = new();
    private readonly Workspace _workspace = new(new Parallelism(2));

    public void Dispose() => _arena.Dispose();

    private Tensor Random(int length, ulong seed, float scale = 1f)
    {
        var t = _arena.Allocate(Math.Max(length, 1));
        GradientCheck.FillRandom(t.Span, seed, scale);
        return t;
    }

    private static void Close(double expected, float actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relative * (1 + Math.Abs(expected)), $"{what}: {actual}, expected {expected}");

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Relu2HasTheScalarBits(int n)
    {
        var x = Random(n, 1, 2f);
        var dy = Random(n, 2);
        var y = _arena.Allocate(Math.Max(n, 1));
        var dx = _arena.Allocate(Math.Max(n, 1));
        var relu = new Relu2(_workspace);
        relu.Forward(x, y, n);
        relu.Backward(x, dy, dx, n);
        for (var i = 0; i < n; i++)
        {
            var r = MathF.Max(x.Span[i], 0f);
            Assert.Equal(r * r, y.Span[i]);
            Assert.Equal(2f * r * dy.Span[i], dx.Span[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void RmsNormMatchesTheScalarFormulas(int width)
    {
        const int rows = 3;
        foreach (var gain in new[] { false, true })
        {
            var parameters = new ParameterSet();
            var norm = new RmsNorm(parameters, _workspace, "rms", width, gain);
            parameters.Allocate(_arena);
            if (gain)
                GradientCheck.FillRandom(parameters.Data.Span, 3, 1f);
            norm.Plan(_arena, rows);
            var x = Random(rows * width, 4, 2f);
            var dy = Random(rows * width, 5);
            var y = _arena.Allocate(rows * width);
            var dx = Random(rows * width, 6);
            var dx0 = dx.Span.ToArray();
            norm.Forward(x, y, rows);
            norm.Backward(x, dy, dx, rows);

            var dg = new double[width];
            for (var r = 0; r < rows; r++)
            {
                var xr = x.Span.Slice(r * width, width).ToArray();
                var dyr = dy.Span.Slice(r * width, width).ToArray();
                double w(int i) => gain ? parameters.Data.Span[i] : 1.0;
                var s = 1 / Math.Sqrt(xr.Sum(v => (double)v * v) / width + 1e-6);
                var gx = 0.0;
                for (var i = 0; i < width; i++)
                    gx += w(i) * dyr[i] * xr[i] * s;
                gx /= width;
                for (var i = 0; i < width; i++)
                {
                    Close(xr[i] * s * w(i), y.Span[r * width + i], 1e-5, $"y[{r},{i}]");
                    Close(dx0[r * width + i] + (w(i) * dyr[i] - xr[i] * s * gx) * s, dx.Span[r * width + i], 1e-5, $"dx[{r},{i}]");
                    dg[i] += xr[i] * s * dyr[i];
                }
            }
            if (gain)
            {
                for (var i = 0; i < width; i++)
                    Close(dg[i], norm.Weight!.Grad.Span[i], 1e-5, $"dg[{i}]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SwiGluMatchesTheScalarFormulas(int hidden)
    {
        const int rows = 3;
        var glu = new SwiGlu(_workspace);
        var x = Random(rows * 2 * hidden, 7, 4f);
        var dy = Random(rows * hidden, 8);
        var y = _arena.Allocate(rows * hidden);
        var dx = _arena.Allocate(rows * 2 * hidden);
        glu.Forward(x, y, rows, hidden);
        glu.Backward(x, dy, dx, rows, hidden);
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < hidden; i++)
            {
                double g = x.Span[r * 2 * hidden + i], u = x.Span[r * 2 * hidden + hidden + i], d = dy.Span[r * hidden + i];
                var sigma = 1 / (1 + Math.Exp(-g));
                Close(g * sigma * u, y.Span[r * hidden + i], 1e-6, $"y[{r},{i}]");
                Close(d * g * sigma, dx.Span[r * 2 * hidden + hidden + i], 1e-6, $"du[{r},{i}]");
                Close(d * u * sigma * (1 + g * (1 - sigma)), dx.Span[r * 2 * hidden + i], 1e-6, $"dg[{r},{i}]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void CausalSoftmaxAndItsBackwardMatchTheScalarFormulas(int n)
    {
        const float scale = 0.3f;
        var t = n + 3;
        // Room up to the padded stride; what lies past n (here NaN in the gradient) must not matter.
        var room = Math.Max(t, CausalSelfAttention.ScoreStride(n));
        var row = Random(room, 9, 5f);
        var raw = row.Span.ToArray();
        CausalSelfAttention.CausalSoftmax(row.Data, n, t, scale);
        var max = raw[..n].Max(v => (double)(v * scale));
        var sum = raw[..n].Sum(v => Math.Exp(v * scale - max));
        for (var j = 0; j < n; j++)
            Close(Math.Exp(raw[j] * scale - max) / sum, row.Span[j], 1e-6, $"p[{j}]");
        for (var j = n; j < t; j++)
            Assert.Equal(0f, row.Span[j]);

        var d = Random(room, 10);
        d.Span[n..].Fill(float.NaN);
        var d0 = d.Span.ToArray();
        CausalSelfAttention.CausalSoftmaxBackward(row.Data, d.Data, n, t, scale);
        var dot = 0.0;
        for (var j = 0; j < n; j++)
            dot += (double)row.Span[j] * d0[j];
        for (var j = 0; j < n; j++)
            Close(row.Span[j] * (d0[j] - dot) * scale, d.Span[j], 1e-6, $"ds[{j}]");
        for (var j = n; j < t; j++)
            Assert.Equal(0f, d.Span[j]);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void RotationHasTheScalarBits(int half)
    {
        var x = Random(2 * half, 11);
        var cos = Random(half, 12);
        var sin = Random(half, 13);
        foreach (var backward in new[] { false, true })
        {
            var before = x.Span.ToArray();
            CausalSelfAttention.Rotate(x.Data, cos.Data, sin.Data, half, backward);
            for (var i = 0; i < half; i++)
            {
                float x1 = before[i], x2 = before[i + half], c = cos.Span[i], s = backward ? -sin.Span[i] : sin.Span[i];
                Assert.Equal(x1 * c - x2 * s, x.Span[i]);
                Assert.Equal(x2 * c + x1 * s, x.Span[i + half]);
            }
        }
    }
}
