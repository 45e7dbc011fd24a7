using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;

namespace PretrainLab.Engine.Tests.Model;

public class GptModelTests
{
    private static (int[] Tokens, int[] Targets) Batch(int rows, int vocab, ulong seed)
    {
        var rng = new Rng(seed);
        var tokens = new int[rows];
        var targets = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            tokens[i] = (int)rng.NextInt64(vocab);
            targets[i] = (int)rng.NextInt64(vocab);
        }
        return (tokens, targets);
    }

    public static TheoryData<string> Variants => new()
    {
        "classic", "rmsnorm-relu2-untied-nobias", "rmsnorm-gain-ratio3", "rope-qknorm-gqa-swiglu-softcap-embednorm",
    };

    private static GptConfig Variant(string name)
    {
        // A large init scale so that gradients are O(0.1) and the check is sharp.
        var classic = new GptConfig(NLayer: 2, NHead: 2, NEmbd: 8, BlockSize: 4, VocabSize: 11, InitStd: 0.3f);
        return name switch
        {
            "rmsnorm-relu2-untied-nobias" => classic with
            {
                Norm = NormKind.RmsNorm, NormGain = false, Activation = ActivationKind.Relu2, TieHead = false, Bias = false,
            },
            "rmsnorm-gain-ratio3" => classic with { Norm = NormKind.RmsNorm, MlpRatio = 3 },
            "rope-qknorm-gqa-swiglu-softcap-embednorm" => classic with
            {
                NHead = 4, NKvHead = 2, Position = PositionKind.Rope, QkNorm = true, Activation = ActivationKind.SwiGlu,
                MlpRatio = 2, LogitSoftcap = 3f, EmbedNorm = true, Norm = NormKind.RmsNorm,
            },
            _ => classic,
        };
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryParameterGradientMatchesFiniteDifferences(string variant)
    {
        var config = Variant(variant);
        using var model = new GptModel(config, batchSize: 2, new Parallelism(2));
        model.Initialize(3);
        var (tokens, targets) = Batch(8, 11, 4);
        double Loss() => model.Forward(tokens, targets, 2) / 8;

        model.Parameters.ZeroGrad();
        Loss();
        model.Backward(1f / 8);
        // A smaller step than the layer tests: the whole model is more curved (norms, gates, soft-cap),
        // and its loss is O(1), so the rounding term 1e-7·|L|/h stays near 3e-5.
        foreach (var p in model.Parameters.All)
            GradientCheck.Assert(Loss, p.Data, p.Grad.Span.ToArray(), p.Name, h: 3e-3f);
    }

    [Fact]
    public void ParameterNamesFollowNanoGpt()
    {
        using var model = new GptModel(new GptConfig(2, 2, 8, 4, 11), 1, Parallelism.Serial);
        var names = model.Parameters.All.Select(p => p.Name).ToArray();
        Assert.Equal("transformer.wte.weight", names[0]);
        Assert.Equal("transformer.wpe.weight", names[1]);
        Assert.Equal(
        [
            "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
            "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
            "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias",
            "transformer.h.0.ln_2.weight", "transformer.h.0.ln_2.bias",
            "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
            "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias",
        ], names[2..14]);
        Assert.Equal(["transformer.ln_f.weight", "transformer.ln_f.bias"], names[^2..]);
        Assert.True(model.Parameters.TryGet("transformer.h.1.attn.c_attn.weight", out var qkv));
        Assert.Equal([24, 8], qkv.Shape);
    }

    [Fact]
    public void InitialisationFollowsNanoGpt()
    {
        var config = new GptConfig(NLayer: 4, NHead: 4, NEmbd: 64, BlockSize: 16, VocabSize: 256);
        using var model = new GptModel(config, 1, Parallelism.Serial);
        model.Initialize(1);
        double Std(string name)
        {
            Assert.True(model.Parameters.TryGet(name, out var p));
            var x = p.Data.Span.ToArray();
            var mean = x.Average(v => (double)v);
            return Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
        }

        Assert.InRange(Std("transformer.wte.weight"), 0.019, 0.021);
        Assert.InRange(Std("transformer.h.0.mlp.c_fc.weight"), 0.019, 0.021);
        // Residual projections: 0.02 / √(2·4) ≈ 0.00707.
        Assert.InRange(Std("transformer.h.3.mlp.c_proj.weight"), 0.0067, 0.0074);
        Assert.True(model.Parameters.TryGet("transformer.h.0.ln_1.weight", out var gain));
        Assert.All(gain.Data.Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.True(model.Parameters.TryGet("transformer.h.0.attn.c_attn.bias", out var bias));
        Assert.All(bias.Data.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void InitialLossIsNearLogVocab()
    {
        var config = new GptConfig(2, 2, 32, 16, 256);
        using var model = new GptModel(config, 2, Parallelism.Serial);
        model.Initialize(7);
        var (tokens, targets) = Batch(32, 256, 8);
        var loss = model.Forward(tokens, targets, 2) / 32;
        Assert.InRange(loss, Math.Log(256) - 0.1, Math.Log(256) + 0.1);
    }

    [Fact]
    public void ForwardAndBackwardAreBitIdenticalAcrossThreadCounts()
    {
        var config = new GptConfig(2, 2, 16, 8, 32);
        float[] Run(int threads)
        {
            using var model = new GptModel(config, 3, new Parallelism(threads));
            model.Initialize(11);
            var (tokens, targets) = Batch(24, 32, 12);
            model.Parameters.ZeroGrad();
            var loss = model.Forward(tokens, targets, 3);
            model.Backward(1f / 24);
            return [(float)loss, .. model.Parameters.Grad.Span.ToArray()];
        }

        Assert.Equal(Run(1), Run(2));
        Assert.Equal(Run(1), Run(3));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryVariantIsBitIdenticalAcrossThreadCounts(string variant)
    {
        // Widths and lengths off the vector boundaries (head size 24, context 19), and enough rows
        // (57) that the row kernels split over threads.
        var config = Variant(variant) with { NEmbd = 48, BlockSize = 19, VocabSize = 37 };
        float[] Run(int threads)
        {
            using var model = new GptModel(config, 3, new Parallelism(threads));
            model.Initialize(11);
            var (tokens, targets) = Batch(57, 37, 12);
            model.Parameters.ZeroGrad();
            var loss = model.Forward(tokens, targets, 3);
            model.Backward(1f / 57);
            return [(float)loss, (float)model.Parameters.GradNorm(), .. model.Parameters.Grad.Span.ToArray()];
        }

        var serial = Run(1);
        Assert.Equal(serial, Run(2));
        Assert.Equal(serial, Run(3));
    }

    [Fact]
    public void SmallerBatchThanPlannedGivesTheSameLossPerSequence()
    {
        var config = new GptConfig(1, 2, 16, 8, 32);
        using var model = new GptModel(config, 4, Parallelism.Serial);
        model.Initialize(5);
        var (tokens, targets) = Batch(32, 32, 6);
        model.Forward(tokens, targets, 4);
        var perToken = model.TokenLosses.ToArray();
        model.Forward(tokens.AsSpan(8, 8), targets.AsSpan(8, 8), 1);
        Assert.Equal(perToken[8..16], model.TokenLosses.ToArray());
    }

    [Fact]
    public void OutOfVocabularyTokenIsRejectedWithItsPosition()
    {
        using var model = new GptModel(new GptConfig(1, 1, 8, 2, 5), 1, Parallelism.Serial);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward([1, 7], [1, 2], 1));
        Assert.Contains("token 7 at position 1", ex.Message);
    }

    [Fact]
    public void FlopsPerTokenCountsMatmulsAndAttention()
    {
        var c = new GptConfig(NLayer: 4, NHead: 4, NEmbd: 128, BlockSize: 64, VocabSize: 256);
        // N = 4·12·128² + 256·128 = 819,200; 6N + 6·4·64·128 = 4,915,200 + 196,608.
        Assert.Equal(819_200, c.MatmulParameters);
        Assert.Equal(5_111_808, c.TrainingFlopsPerToken);
    }

    [Fact]
    public void TwoAccumulatedHalfBatchesGiveTheFullBatchGradient()
    {
        var config = new GptConfig(2, 2, 16, 8, 32);
        var (tokens, targets) = Batch(32, 32, 21);
        using var full = new GptModel(config, 4, Parallelism.Serial);
        using var half = new GptModel(config, 2, Parallelism.Serial);
        full.Initialize(9);
        half.Initialize(9);
        full.Parameters.ZeroGrad();
        full.Forward(tokens, targets, 4);
        full.Backward(1f / 32);
        half.Parameters.ZeroGrad();
        for (var micro = 0; micro < 2; micro++)
        {
            half.Forward(tokens.AsSpan(micro * 16, 16), targets.AsSpan(micro * 16, 16), 2);
            half.Backward(1f / 32);
        }

        // Same sums in a different grouping: equal up to float rounding.
        var a = full.Parameters.Grad.Span.ToArray();
        var b = half.Parameters.Grad.Span.ToArray();
        var scale = a.Max(Math.Abs);
        for (var i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * scale, $"grad[{i}]: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void ModernKnobsChangeTheParameterSet()
    {
        var config = new GptConfig(2, 2, 8, 4, 11) with
        {
            Norm = NormKind.RmsNorm, NormGain = false, Bias = false, TieHead = false, MlpRatio = 3,
        };
        using var model = new GptModel(config, 1, Parallelism.Serial);
        var names = model.Parameters.All.Select(p => p.Name).ToList();
        Assert.DoesNotContain(names, n => n.EndsWith(".bias", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("ln_", StringComparison.Ordinal));
        Assert.Equal("lm_head.weight", names[^1]);
        Assert.True(model.Parameters.TryGet("transformer.h.0.mlp.c_fc.weight", out var fc));
        Assert.Equal([24, 8], fc.Shape);
        Assert.Equal(2L * (4 * 64 + 2 * 8 * 24) + 11 * 8, config.MatmulParameters);
    }

    [Fact]
    public void ZeroInitialisedProjectionsStartAtZero()
    {
        var config = new GptConfig(2, 2, 8, 4, 11) { ZeroInitProjections = true };
        using var model = new GptModel(config, 1, Parallelism.Serial);
        model.Initialize(1);
        foreach (var p in model.Parameters.All.Where(p => p.Name.EndsWith("c_proj.weight", StringComparison.Ordinal)))
            Assert.All(p.Data.Span.ToArray(), v => Assert.Equal(0f, v));
        Assert.True(model.Parameters.TryGet("transformer.h.0.attn.c_attn.weight", out var qkv));
        Assert.Contains(qkv.Data.Span.ToArray(), v => v != 0f);
    }

    [Fact]
    public void RopeRemovesThePositionTableAndGqaShrinksKeysAndValues()
    {
        var config = new GptConfig(1, 4, 16, 8, 11) { Position = PositionKind.Rope, NKvHead = 1 };
        using var model = new GptModel(config, 1, Parallelism.Serial);
        Assert.False(model.Parameters.TryGet("transformer.wpe.weight", out _));
        Assert.True(model.Parameters.TryGet("transformer.h.0.attn.c_attn.weight", out var qkv));
        Assert.Equal([16 + 2 * 4, 16], qkv.Shape);
        Assert.Equal(1L * (16 * 24 + 16 * 16 + 2 * 16 * 64) + 11 * 16, config.MatmulParameters);
    }
}
