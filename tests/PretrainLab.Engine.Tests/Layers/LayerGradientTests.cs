using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Layers;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Layers;

/// <summary>Every op's backward against central finite differences (see <see cref="GradientCheck"/>).</summary>
public sealed class LayerGradientTests : IDisposable
{
    private readonly TensorArena _arena = new();
    private readonly ParameterSet _parameters = new();
    private readonly Workspace _workspace = new(new Parallelism(2));

    public void Dispose() => _arena.Dispose();

    private Tensor Random(int length, ulong seed, float scale = 1f)
    {
        var t = _arena.Allocate(length);
        GradientCheck.FillRandom(t.Span, seed, scale);
        return t;
    }

    private void AllocateParameters(ulong seed)
    {
        _parameters.Allocate(_arena);
        GradientCheck.FillRandom(_parameters.Data.Span, seed, 0.5f);
    }

    [Fact]
    public void LinearBackwardMatchesFiniteDifferences()
    {
        const int rows = 5, inF = 9, outF = 7;
        var linear = new Linear(_parameters, _workspace, "fc", inF, outF, bias: true, ParameterInit.Zeros);
        AllocateParameters(1);
        var x = Random(rows * inF, 2);
        var y = _arena.Allocate(rows * outF);
        var r = Random(rows * outF, 3);
        var dx = _arena.Allocate(rows * inF);

        double Loss()
        {
            linear.Forward(x, y, rows);
            return GradientCheck.Project(y, r);
        }

        Loss();
        linear.Backward(x, r, dx, rows);
        GradientCheck.Assert(Loss, x, dx.Span.ToArray(), "dx");
        GradientCheck.Assert(Loss, linear.Weight.Data, linear.Weight.Grad.Span.ToArray(), "dW");
        GradientCheck.Assert(Loss, linear.Bias!.Data, linear.Bias.Grad.Span.ToArray(), "db");
    }

    [Fact]
    public void LayerNormBackwardMatchesFiniteDifferences()
    {
        const int rows = 4, width = 10;
        var ln = new LayerNorm(_parameters, _workspace, "ln", width);
        AllocateParameters(4);
        ln.Plan(_arena, rows);
        var x = Random(rows * width, 5, 2f);
        var y = _arena.Allocate(rows * width);
        var r = Random(rows * width, 6);
        var dx = _arena.Allocate(rows * width);

        double Loss()
        {
            ln.Forward(x, y, rows);
            return GradientCheck.Project(y, r);
        }

        Loss();
        ln.Backward(x, r, dx, rows);
        GradientCheck.Assert(Loss, x, dx.Span.ToArray(), "dx");
        GradientCheck.Assert(Loss, ln.Weight.Data, ln.Weight.Grad.Span.ToArray(), "dgamma");
        GradientCheck.Assert(Loss, ln.Bias!.Data, ln.Bias.Grad.Span.ToArray(), "dbeta");
    }

    [Fact]
    public void LayerNormBackwardAccumulatesIntoInputGradient()
    {
        const int rows = 2, width = 8;
        var ln = new LayerNorm(_parameters, _workspace, "ln", width);
        AllocateParameters(7);
        ln.Plan(_arena, rows);
        var x = Random(rows * width, 8);
        var y = _arena.Allocate(rows * width);
        var r = Random(rows * width, 9);
        var fresh = _arena.Allocate(rows * width);
        var seeded = Random(rows * width, 10);
        var before = seeded.Span.ToArray();
        ln.Forward(x, y, rows);
        ln.Backward(x, r, fresh, rows);
        ln.Backward(x, r, seeded, rows);
        for (var i = 0; i < before.Length; i++)
            Assert.Equal(before[i] + fresh.Span[i], seeded.Span[i], 6);
    }

    [Fact]
    public void GeluMatchesTanhFormulaAndItsDerivative()
    {
        const int n = 41;
        var gelu = new Gelu(_workspace);
        var x = _arena.Allocate(n);
        for (var i = 0; i < n; i++)
            x.Span[i] = -4f + 0.2f * i;
        var y = _arena.Allocate(n);
        gelu.Forward(x, y, n);
        for (var i = 0; i < n; i++)
        {
            double v = x.Span[i];
            var expected = 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            Assert.Equal(expected, y.Span[i], 5);
        }

        var r = Random(n, 11);
        var dx = _arena.Allocate(n);
        gelu.Backward(x, r, dx, n);
        GradientCheck.Assert(() =>
        {
            gelu.Forward(x, y, n);
            return GradientCheck.Project(y, r);
        }, x, dx.Span.ToArray(), "dx");
    }

    public static TheoryData<int, int, int, int, int, bool, bool> AttentionShapes() => new()
    {
        // batch, heads, kv heads, width, context, qk-norm, rope
        { 1, 1, 1, 8, 5, false, false },
        { 2, 2, 2, 8, 6, false, false },
        { 2, 3, 3, 12, 9, false, false },
        { 2, 4, 2, 16, 5, false, false },
        { 1, 4, 1, 16, 6, false, false },
        { 2, 2, 2, 8, 5, true, false },
        { 2, 2, 2, 12, 7, false, true },
        { 2, 4, 2, 16, 6, true, true },
    };

    [Theory]
    [MemberData(nameof(AttentionShapes))]
    public void AttentionBackwardMatchesFiniteDifferences(int batch, int heads, int kvHeads, int width, int context, bool qkNorm, bool rope)
    {
        var rows = batch * context;
        var config = new GptConfig(1, heads, width, context, 2)
        {
            NKvHead = kvHeads, QkNorm = qkNorm, Position = rope ? PositionKind.Rope : PositionKind.Learned,
        };
        var attn = new CausalSelfAttention(_parameters, _workspace, "attn", config, ParameterInit.Zeros, ParameterInit.Zeros);
        AllocateParameters(12);
        var sharedDY = _arena.Allocate(rows * width);
        var sharedDQkv = _arena.Allocate(rows * attn.RowWidth);
        attn.Plan(_arena, sharedDY, sharedDQkv, batch, context);
        var x = Random(rows * width, 13);
        var y = _arena.Allocate(rows * width);
        var r = Random(rows * width, 14);
        var dx = _arena.Allocate(rows * width);

        double Loss()
        {
            attn.Forward(x, y, batch, context);
            return GradientCheck.Project(y, r);
        }

        Loss();
        attn.Backward(x, r, dx, batch, context);
        GradientCheck.Assert(Loss, x, dx.Span.ToArray(), "dx");
        GradientCheck.Assert(Loss, attn.QkvProjection.Weight.Data, attn.QkvProjection.Weight.Grad.Span.ToArray(), "dW_attn");
        GradientCheck.Assert(Loss, attn.OutputProjection.Weight.Data, attn.OutputProjection.Weight.Grad.Span.ToArray(), "dW_proj");
    }

    [Fact]
    public void RopeMakesScoresDependOnRelativePositionOnly()
    {
        // With RoPE, q_t·k_s depends on t − s: shifting identical content by one position leaves the
        // output of the last row unchanged when every earlier row is identical too.
        const int width = 8, context = 6;
        var config = new GptConfig(1, 2, width, context, 2) { Position = PositionKind.Rope };
        var attn = new CausalSelfAttention(_parameters, _workspace, "attn", config, ParameterInit.Zeros, ParameterInit.Zeros);
        AllocateParameters(30);
        attn.Plan(_arena, _arena.Allocate(context * width), _arena.Allocate(context * attn.RowWidth), 1, context);
        var x = _arena.Allocate(context * width);
        var y = _arena.Allocate(context * width);
        var row = new float[width];
        GradientCheck.FillRandom(row, 31);
        for (var t = 0; t < context; t++)
            row.CopyTo(x.Span.Slice(t * width, width));
        attn.Forward(x, y, 1, context);
        var rows = y.Span.ToArray();
        // All rows equal: outputs at t = 1 and t = 2 see keys at offsets {0, 1} and {0, 1, 2} with equal
        // values, so they differ only through the softmax weights; rows 0 sees only itself.
        Assert.Equal(rows[..width], row.Select((_, i) => rows[i]).ToArray());
        Assert.NotEqual(rows[width..(2 * width)], rows[..width]);
    }

    [Fact]
    public void AttentionIsCausal()
    {
        const int width = 8, context = 6;
        var attn = new CausalSelfAttention(_parameters, _workspace, "attn", new GptConfig(1, 2, width, context, 2),
            ParameterInit.Zeros, ParameterInit.Zeros);
        AllocateParameters(15);
        attn.Plan(_arena, _arena.Allocate(context * width), _arena.Allocate(context * 3 * width), 1, context);
        var x = Random(context * width, 16);
        var y = _arena.Allocate(context * width);
        attn.Forward(x, y, 1, context);
        var before = y.Span.ToArray();
        // Changing the last position must leave every earlier output untouched.
        for (var i = 0; i < width; i++)
            x.Span[(context - 1) * width + i] += 1f;
        attn.Forward(x, y, 1, context);
        Assert.Equal(before[..((context - 1) * width)], y.Span[..((context - 1) * width)].ToArray());
        Assert.NotEqual(before[^1], y.Span[^1]);
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesDefinitionAndGradient()
    {
        const int rows = 3, vocab = 7;
        var ce = new SoftmaxCrossEntropy(_workspace, vocab);
        ce.Plan(_arena, rows);
        var logits = Random(rows * vocab, 17, 3f);
        int[] targets = [0, 6, 3];
        var expected = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var z = logits.Span.Slice(r * vocab, vocab).ToArray();
            var lse = Math.Log(z.Sum(v => Math.Exp(v)));
            expected += lse - z[targets[r]];
        }
        Assert.Equal(expected, ce.Forward(logits, targets, rows), 5);

        var saved = logits.Span.ToArray();
        var grad = _arena.Allocate(rows * vocab);
        saved.CopyTo(grad.Span);
        ce.Forward(grad, targets, rows);
        ce.Backward(grad, targets, rows, 0.5f);
        GradientCheck.Assert(() => 0.5 * ce.Forward(logits, targets, rows), logits, grad.Span.ToArray(), "dlogits");
    }

    [Fact]
    public void SoftmaxCrossEntropyIsStableForHugeLogits()
    {
        var ce = new SoftmaxCrossEntropy(_workspace, 3);
        ce.Plan(_arena, 1);
        var logits = _arena.Allocate(3);
        logits.Span[0] = 1000f;
        logits.Span[1] = 999f;
        logits.Span[2] = -1000f;
        var loss = ce.Forward(logits, [1], 1);
        // One float ulp at 1000 is 6.1e-5: the loss is exact up to the rounding of logsumexp ≈ 1000.3.
        Assert.InRange(loss, 1 + Math.Log(1 + Math.Exp(-1)) - 1.3e-4, 1 + Math.Log(1 + Math.Exp(-1)) + 1.3e-4);
    }

    [Fact]
    public void EmbeddingBackwardScattersIntoTheRowsUsed()
    {
        var config = new GptConfig(1, 1, 4, 3, 5);
        var emb = new Embedding(_parameters, config);
        AllocateParameters(18);
        int[] tokens = [2, 2, 4, 0, 1, 2];
        var x = _arena.Allocate(6 * 4);
        emb.Forward(tokens, x, 2, 3);
        for (var i = 0; i < 4; i++)
            Assert.Equal(emb.TokenTable.Data.Span[4 * 4 + i] + emb.PositionTable!.Data.Span[2 * 4 + i], x.Span[2 * 4 + i]);
        var r = Random(6 * 4, 19);
        emb.Backward(tokens, r, 2, 3);
        GradientCheck.Assert(() =>
        {
            emb.Forward(tokens, x, 2, 3);
            return GradientCheck.Project(x, r);
        }, emb.TokenTable.Data, emb.TokenTable.Grad.Span.ToArray(), "dwte");
        GradientCheck.Assert(() =>
        {
            emb.Forward(tokens, x, 2, 3);
            return GradientCheck.Project(x, r);
        }, emb.PositionTable!.Data, emb.PositionTable.Grad.Span.ToArray(), "dwpe");
        // Token 3 never occurs, so its row gets no gradient.
        Assert.All(emb.TokenTable.Grad.Span.Slice(3 * 4, 4).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RmsNormBackwardMatchesFiniteDifferences(bool gain)
    {
        const int rows = 4, width = 10;
        var norm = new RmsNorm(_parameters, _workspace, "rms", width, gain);
        if (gain)
            AllocateParameters(20);
        norm.Plan(_arena, rows);
        var x = Random(rows * width, 21, 2f);
        var y = _arena.Allocate(rows * width);
        var r = Random(rows * width, 22);
        var dx = _arena.Allocate(rows * width);

        double Loss()
        {
            norm.Forward(x, y, rows);
            return GradientCheck.Project(y, r);
        }

        Loss();
        for (var i = 0; i < width; i++)
        {
            double ms = 0;
            for (var j = 0; j < width; j++)
                ms += x.Span[j] * x.Span[j];
            var expected = x.Span[i] / Math.Sqrt(ms / width + 1e-6) * (gain ? norm.Weight!.Data.Span[i] : 1);
            Assert.Equal(expected, y.Span[i], 5);
        }
        norm.Backward(x, r, dx, rows);
        GradientCheck.Assert(Loss, x, dx.Span.ToArray(), "dx");
        if (gain)
            GradientCheck.Assert(Loss, norm.Weight!.Data, norm.Weight.Grad.Span.ToArray(), "dg");
    }

    [Fact]
    public void LayerNormWithoutBiasHasNoBiasAndCorrectGradients()
    {
        const int rows = 3, width = 9;
        var ln = new LayerNorm(_parameters, _workspace, "ln", width, bias: false);
        AllocateParameters(23);
        Assert.Null(ln.Bias);
        Assert.Single(_parameters.All);
        ln.Plan(_arena, rows);
        var x = Random(rows * width, 24, 2f);
        var y = _arena.Allocate(rows * width);
        var r = Random(rows * width, 25);
        var dx = _arena.Allocate(rows * width);

        double Loss()
        {
            ln.Forward(x, y, rows);
            return GradientCheck.Project(y, r);
        }

        Loss();
        ln.Backward(x, r, dx, rows);
        GradientCheck.Assert(Loss, x, dx.Span.ToArray(), "dx");
        GradientCheck.Assert(Loss, ln.Weight.Data, ln.Weight.Grad.Span.ToArray(), "dgamma");
    }

    [Fact]
    public void Relu2MatchesDefinitionAndDerivative()
    {
        const int n = 40;
        var act = new Relu2(_workspace);
        var x = _arena.Allocate(n);
        for (var i = 0; i < n; i++)
            x.Span[i] = -2.05f + 0.1f * i; // never exactly 0, where the derivative is one-sided
        var y = _arena.Allocate(n);
        act.Forward(x, y, n);
        for (var i = 0; i < n; i++)
            Assert.Equal(x.Span[i] > 0 ? x.Span[i] * x.Span[i] : 0f, y.Span[i], 6);
        var r = Random(n, 26);
        var dx = _arena.Allocate(n);
        act.Backward(x, r, dx, n);
        GradientCheck.Assert(() =>
        {
            act.Forward(x, y, n);
            return GradientCheck.Project(y, r);
        }, x, dx.Span.ToArray(), "dx");
    }

    [Fact]
    public void SwiGluMatchesDefinitionAndGradient()
    {
        const int rows = 3, hidden = 5;
        var glu = new SwiGlu(_workspace);
        var x = Random(rows * 2 * hidden, 40, 3f);
        var y = _arena.Allocate(rows * hidden);
        glu.Forward(x, y, rows, hidden);
        for (var r = 0; r < rows; r++)
        for (var i = 0; i < hidden; i++)
        {
            double g = x.Span[r * 2 * hidden + i], u = x.Span[r * 2 * hidden + hidden + i];
            Assert.Equal(g / (1 + Math.Exp(-g)) * u, y.Span[r * hidden + i], 5);
        }
        var dy = Random(rows * hidden, 41);
        var dx = _arena.Allocate(rows * 2 * hidden);
        glu.Backward(x, dy, dx, rows, hidden);
        GradientCheck.Assert(() =>
        {
            glu.Forward(x, y, rows, hidden);
            return GradientCheck.Project(y, dy);
        }, x, dx.Span.ToArray(), "dx");
    }

    [Fact]
    public void LogitSoftcapBoundsLogitsAndHasTheTanhDerivative()
    {
        const int n = 30;
        var cap = new LogitSoftcap(_workspace, 5f);
        cap.Plan(_arena, n);
        var z = Random(n, 42, 20f);
        var original = z.Span.ToArray();
        cap.Forward(z, n);
        // Float32 values near 5 carry ~5e-7 of rounding.
        for (var i = 0; i < n; i++)
            Assert.True(Math.Abs(5 * Math.Tanh(original[i] / 5.0) - z.Span[i]) < 2e-6, $"z'[{i}] = {z.Span[i]}");
        Assert.All(z.Span.ToArray(), v => Assert.InRange(v, -5f, 5f));
        var dz = Random(n, 43);
        var expected = dz.Span.ToArray().Select((d, i) => d * (1 - Math.Pow(Math.Tanh(original[i] / 5.0), 2))).ToArray();
        cap.Backward(dz, n);
        for (var i = 0; i < n; i++)
            Assert.Equal(expected[i], dz.Span[i], 5);
    }
}
