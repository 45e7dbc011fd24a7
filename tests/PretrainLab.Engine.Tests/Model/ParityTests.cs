using System.Runtime.CompilerServices;
using System.Text.Json;
using PretrainLab.Engine.Checkpoints;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;

namespace PretrainLab.Engine.Tests.Model;

/// <summary>
/// The engine against PyTorch. <c>Reference/parity-input.safetensors</c> holds a model initialised by
/// this engine plus a token batch; <c>Reference/make_parity_reference.py</c> runs the same model in
/// PyTorch and writes <c>parity-reference-*.safetensors</c>, for the classic GPT-2, a modern and a GQA variant: the
/// forward and backward pass, ten AdamW steps and ten Muon steps with shared settings, and the same two with per-group
/// rates, betas and weight decay. Set PLAB_PARITY_WRITE=1 to rewrite the input.
/// </summary>
public class ParityTests
{
    private const int Batch = 3;
    private static readonly GptConfig Classic = new(NLayer: 2, NHead: 2, NEmbd: 24, BlockSize: 16, VocabSize: 67, InitStd: 0.1f);

    // modded-nanogpt's choices: RMSNorm without gain, RoPE with QK-norm, ReLU², no biases, untied head, soft-cap.
    private static readonly GptConfig Modern = Classic with
    {
        Norm = NormKind.RmsNorm, NormGain = false, Activation = ActivationKind.Relu2, Bias = false, TieHead = false, MlpRatio = 3,
        Position = PositionKind.Rope, QkNorm = true, LogitSoftcap = 15f,
    };

    // The remaining knobs: grouped-query attention (4 query heads on 2 key/value heads), SwiGLU, a norm after the embedding.
    private static readonly GptConfig Gqa = Classic with
    {
        NHead = 4, NKvHead = 2, Activation = ActivationKind.SwiGlu, MlpRatio = 2, EmbedNorm = true, Norm = NormKind.RmsNorm,
        Position = PositionKind.Rope, RopeTheta = 500,
    };

    public static TheoryData<string> Variants => new() { "classic", "modern", "gqa" };

    private static GptConfig ConfigOf(string variant) => variant switch
    {
        "modern" => Modern,
        "gqa" => Gqa,
        _ => Classic,
    };
    private const double Lr = 1e-2, Beta1 = 0.9, Beta2 = 0.95, Eps = 1e-8, WeightDecay = 0.1, GradClip = 1.0, MinLrRatio = 0.1;
    private const int Steps = 10, Warmup = 2;
    private const double MuonLr = 0.02, MuonMomentum = 0.95;
    private const int NsSteps = 5;

    // Per-group settings for the grouped trajectories: every group's rate, betas and decay differ from the shared
    // ones and from each other, and the scalar group decays the biases and gains the shared decay never reaches.
    private static readonly (double Lr, double Beta1, double Beta2, double WeightDecay)
        EmbeddingGroup = (2e-2, 0.8, 0.99, 0.05), HeadGroup = (5e-3, 0.85, 0.9, 0.2),
        MatrixGroup = (1.5e-2, 0.95, 0.999, 0.01), ScalarGroup = (3e-3, 0.7, 0.98, 0.3);
    private const double MuonWeightDecay = 0.1;

    private static string ReferencePath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "Reference", file);

    private static (int[] Tokens, int[] Targets) MakeBatch()
    {
        var rng = new Rng(99);
        var n = Batch * Classic.BlockSize;
        var tokens = new int[n];
        var targets = new int[n];
        for (var i = 0; i < n; i++)
        {
            tokens[i] = (int)rng.NextInt64(Classic.VocabSize);
            targets[i] = (int)rng.NextInt64(Classic.VocabSize);
        }
        return (tokens, targets);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void InputFileIsWhatTheEngineInitialises(string variant)
    {
        var config = ConfigOf(variant);
        using var model = new GptModel(config, Batch, Parallelism.Serial);
        model.Initialize(42);
        var (tokens, targets) = MakeBatch();
        var path = ReferencePath($"parity-input-{variant}.safetensors");
        if (Environment.GetEnvironmentVariable("PLAB_PARITY_WRITE") == "1")
        {
            var w = new SafeTensorsWriter();
            foreach (var p in model.Parameters.All)
                w.Add(p.Name, p.Shape, p.Data.Span);
            w.Add("tokens", [Batch, config.BlockSize], tokens.Select(t => (long)t).ToArray());
            w.Add("targets", [Batch, config.BlockSize], targets.Select(t => (long)t).ToArray());
            w.Metadata["config"] = JsonSerializer.Serialize(new
            {
                n_layer = config.NLayer, n_head = config.NHead, n_embd = config.NEmbd,
                block_size = config.BlockSize, vocab_size = config.VocabSize,
                norm = config.Norm == NormKind.RmsNorm ? "rmsnorm" : "layernorm", norm_gain = config.NormGain,
                activation = config.Activation.ToString().ToLowerInvariant(),
                bias = config.Bias, tie_head = config.TieHead, mlp_hidden = config.MlpHidden,
                rope = config.Position == PositionKind.Rope, rope_theta = config.RopeTheta, qk_norm = config.QkNorm,
                n_kv_head = config.KvHeads, logit_softcap = config.LogitSoftcap, embed_norm = config.EmbedNorm,
            });
            w.Metadata["hyperparameters"] = JsonSerializer.Serialize(new
            {
                lr = Lr, beta1 = Beta1, beta2 = Beta2, eps = Eps, weight_decay = WeightDecay,
                grad_clip = GradClip, steps = Steps, warmup = Warmup, min_lr_ratio = MinLrRatio,
                muon_lr = MuonLr, muon_momentum = MuonMomentum, ns_steps = NsSteps,
                groups = new Dictionary<string, object>
                {
                    ["embedding"] = GroupJson(EmbeddingGroup), ["head"] = GroupJson(HeadGroup),
                    ["matrix"] = GroupJson(MatrixGroup), ["scalar"] = GroupJson(ScalarGroup),
                },
                muon_weight_decay = MuonWeightDecay,
            });
            w.Save(path);
        }

        // Guards the committed reference: the engine's initialisation and the input must agree.
        using var r = SafeTensorsReader.Open(path);
        foreach (var p in model.Parameters.All)
            Assert.Equal(p.Data.Span.ToArray(), r.ReadFloat32(p.Name));
        Assert.Equal(tokens.Select(t => (long)t).ToArray(), r.ReadInt64("tokens"));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void LogitsLossGradientsAndTenAdamWStepsMatchPyTorch(string variant)
    {
        using var c = ParityCase.Load(variant);
        var (config, reference, model, tokens, targets) = (c.Config, c.Reference, c.Model, c.Tokens, c.Targets);
        var rows = tokens.Length;

        model.Parameters.ZeroGrad();
        var loss = model.Forward(tokens, targets, Batch) / rows;
        AssertClose(reference.ReadFloat32("logits"), model.Logits.Span[..(rows * config.VocabSize)].ToArray(), 1e-5, "logits");
        var expectedLoss = reference.ReadFloat32("loss")[0];
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss), $"loss {loss} vs PyTorch {expectedLoss}");

        model.Backward(1f / rows);
        foreach (var p in model.Parameters.All)
            AssertClose(reference.ReadFloat32("grad." + p.Name), p.Grad.Span.ToArray(), 1e-4, "grad of " + p.Name);

        AssertTrajectoryMatches(variant, new Engine.Training.TrainingOptions { AdamW = new AdamWOptions(Beta1, Beta2, Eps, WeightDecay) }, "");
    }

    private static object GroupJson((double Lr, double Beta1, double Beta2, double WeightDecay) g) =>
        new { lr = g.Lr, beta1 = g.Beta1, beta2 = g.Beta2, weight_decay = g.WeightDecay };

    private static AdamWGroupOptions Own((double Lr, double Beta1, double Beta2, double WeightDecay) g) =>
        new(g.Beta1, g.Beta2, g.WeightDecay);

    /// <summary>The shared AdamW settings with every group's own betas and decay.</summary>
    private static AdamWOptions GroupedAdamW => new(Beta1, Beta2, Eps, WeightDecay)
    {
        Embedding = Own(EmbeddingGroup), Head = Own(HeadGroup), Matrix = Own(MatrixGroup), Scalar = Own(ScalarGroup),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void TenAdamWStepsWithPerGroupRatesBetasAndDecayMatchPyTorch(string variant)
    {
        var options = new Engine.Training.TrainingOptions
        {
            AdamW = GroupedAdamW,
            GroupRates = new GroupLearningRates(Lr, EmbeddingGroup.Lr, HeadGroup.Lr, MatrixGroup.Lr, ScalarGroup.Lr),
        };
        AssertTrajectoryMatches(variant, options, "grouped_");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TenMuonStepsWithWeightDecayAndPerGroupAdamWMatchPyTorch(string variant)
    {
        var options = new Engine.Training.TrainingOptions
        {
            Optimizer = OptimizerKind.Muon,
            AdamW = GroupedAdamW with { Matrix = null },
            Muon = new MuonOptions(MuonMomentum, NsSteps, MuonWeightDecay),
            GroupRates = new GroupLearningRates(Lr, EmbeddingGroup.Lr, HeadGroup.Lr, MuonLr, ScalarGroup.Lr),
        };
        AssertTrajectoryMatches(variant, options, "grouped_muon_");
    }

    /// <summary>
    /// Ten steps of the optimizer <paramref name="options"/> describe, against the reference's
    /// <c>{prefix}step_losses</c> and <c>{prefix}final.*</c>.
    /// </summary>
    private static void AssertTrajectoryMatches(string variant, Engine.Training.TrainingOptions options, string prefix)
    {
        using var c = ParityCase.Load(variant);
        var (config, reference, model, tokens, targets) = (c.Config, c.Reference, c.Model, c.Tokens, c.Targets);
        var rows = tokens.Length;
        using var optimizer = options.CreateOptimizer(model);
        var schedule = new CosineSchedule(Lr, Warmup, MinLrRatio);
        var expectedLosses = reference.ReadFloat32(prefix + "step_losses");
        for (var step = 0; step < Steps; step++)
        {
            model.Parameters.ZeroGrad();
            var loss = model.Forward(tokens, targets, Batch) / rows;
            Assert.True(Math.Abs(loss - expectedLosses[step]) <= 1e-5 * Math.Abs(expectedLosses[step]),
                $"step {step}: loss {loss} vs PyTorch {expectedLosses[step]}");
            model.Backward(1f / rows);
            var coef = GradClip / (model.Parameters.GradNorm() + 1e-6);
            if (coef < 1)
                model.Parameters.ScaleGrad((float)coef);
            optimizer.Step(schedule.At(step, Steps));
        }

        foreach (var p in model.Parameters.All)
        {
            var expected = reference.ReadFloat32(prefix + "final." + p.Name);
            var actual = p.Data.Span.ToArray();
            if (p.Name.EndsWith("attn.c_attn.bias", StringComparison.Ordinal))
            {
                // The key bias adds q·b_k to every score of a row, which softmax cancels: its exact
                // gradient is 0, both engines see rounding noise (~1e-10), and Adam's m/√v turns
                // noise of either sign into full-size steps. Compare the query and value biases.
                Array.Clear(expected, config.NEmbd, config.NEmbd);
                Array.Clear(actual, config.NEmbd, config.NEmbd);
            }
            AssertClose(expected, actual, 1e-4, "final " + p.Name);
        }
    }

    // ‖actual − expected‖∞ / ‖expected‖∞: element-wise relative error is meaningless near zero.
    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        Assert.True(maxRef > 0, $"{what}: reference is all zero");
        Assert.True(maxDiff <= tolerance * maxRef, $"{what}: max abs diff {maxDiff:G3} vs max {maxRef:G3} (relative {maxDiff / maxRef:G3} > {tolerance})");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TenMuonStepsMatchPyTorch(string variant)
    {
        var options = new Engine.Training.TrainingOptions
        {
            Optimizer = OptimizerKind.Muon,
            AdamW = new AdamWOptions(Beta1, Beta2, Eps, WeightDecay),
            Muon = new MuonOptions(MuonMomentum, NsSteps),
            GroupRates = new GroupLearningRates(Lr, Lr, Lr, MuonLr, Lr),
        };
        AssertTrajectoryMatches(variant, options, "muon_");
    }

    /// <summary>One variant's committed input (weights, tokens, targets) loaded into a model, and its PyTorch reference.</summary>
    private sealed class ParityCase : IDisposable
    {
        private readonly SafeTensorsReader _input;

        private ParityCase(string variant)
        {
            Config = ConfigOf(variant);
            _input = SafeTensorsReader.Open(ReferencePath($"parity-input-{variant}.safetensors"));
            Reference = SafeTensorsReader.Open(ReferencePath($"parity-reference-{variant}.safetensors"));
            Model = new GptModel(Config, Batch, new Parallelism(2));
            Checkpoint.LoadParameters(_input, Model.Parameters);
            Tokens = _input.ReadInt64("tokens").Select(t => (int)t).ToArray();
            Targets = _input.ReadInt64("targets").Select(t => (int)t).ToArray();
        }

        public GptConfig Config { get; }

        public SafeTensorsReader Reference { get; }

        public GptModel Model { get; }

        public int[] Tokens { get; }

        public int[] Targets { get; }

        public static ParityCase Load(string variant) => new(variant);

        public void Dispose()
        {
            Model.Dispose();
            Reference.Dispose();
            _input.Dispose();
        }
    }
}
