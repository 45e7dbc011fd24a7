using PretrainLab.Engine.Model;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Tests.Recipes;

public sealed class RecipeModelKnobTests : IDisposable
{
    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ModernKnobsParseAndReachTheEngineConfig()
    {
        var recipe = _files.Parse("""
            model: {norm: rmsnorm, norm_gain: false, activation: relu2, mlp_ratio: 3, bias: false, tie_head: false}
            schedule: {kind: wsd, warmup_steps: 0, decay_fraction: 0.5, min_lr_ratio: 0}
            data: {path: corpus.txt}
            """);
        var config = RunPlan.From(recipe).Model;
        Assert.Equal(NormKind.RmsNorm, config.Norm);
        Assert.False(config.NormGain);
        Assert.Equal(ActivationKind.Relu2, config.Activation);
        Assert.Equal(3 * 128, config.MlpHidden);
        Assert.False(config.Bias);
        Assert.False(config.TieHead);
        var schedule = RunPlan.From(recipe).Options.Schedule;
        Assert.Equal(1e-3, schedule.At(49, 100));
        Assert.Equal(0.5e-3, schedule.At(75, 100), 12);
        Assert.Equal(recipe, Recipe.FromJson(recipe.ToJson()) with { Data = recipe.Data });
    }

    [Fact]
    public void BatchTokensBecomeGradientAccumulation()
    {
        var plan = RunPlan.From(_files.Parse("model: {block_size: 64}\ntrain: {batch_size: 4, batch_tokens: 1024}\ndata: {path: corpus.txt}"));
        Assert.Equal(4, plan.Options.GradAccum);
        Assert.Equal(4, plan.Options.BatchSize);
    }

    [Fact]
    public void MuonGetsItsDefaultMatrixRate()
    {
        var plan = RunPlan.From(_files.Parse("optim: {kind: muon, lr: 0.001}\ndata: {path: corpus.txt}"));
        Assert.Equal(PretrainLab.Engine.Optim.OptimizerKind.Muon, plan.Options.Optimizer);
        Assert.Equal(0.02, plan.Options.GroupRates!.MatrixLr);
        Assert.Equal(0.001, plan.Options.GroupRates.EmbeddingLr);
    }

    [Fact]
    public void DefaultsAreGpt2()
    {
        var config = RunPlan.From(_files.Parse("data: {path: corpus.txt}")).Model;
        Assert.Equal(NormKind.LayerNorm, config.Norm);
        Assert.Equal(ActivationKind.Gelu, config.Activation);
        Assert.True(config.Bias);
        Assert.True(config.TieHead);
        Assert.Equal(4 * 128, config.MlpHidden);
    }

    [Fact]
    public void AttentionAndInitKnobsReachTheEngineConfig()
    {
        var recipe = _files.Parse("""
            model: {n_head: 4, position: rope, rope_theta: 500, qk_norm: true, n_kv_head: 2, logit_softcap: 15, zero_init_proj: true, init_std: 0.01, embed_norm: true, activation: swiglu}
            data: {path: corpus.txt}
            """);
        var c = RunPlan.From(recipe).Model;
        Assert.Equal(PositionKind.Rope, c.Position);
        Assert.Equal(500, c.RopeTheta);
        Assert.True(c.QkNorm);
        Assert.Equal(2, c.KvHeads);
        Assert.Equal(15f, c.LogitSoftcap);
        Assert.True(c.ZeroInitProjections);
        Assert.Equal(0.01f, c.InitStd);
        Assert.True(c.EmbedNorm);
        Assert.Equal(ActivationKind.SwiGlu, c.Activation);
        c.Validate();
    }

    [Theory]
    [InlineData("model: {n_head: 4, n_kv_head: 3}", "model.n_kv_head: 3 does not divide model.n_head (4)")]
    [InlineData("model: {n_head: 4, n_embd: 12, position: rope}", "model.position: rope needs an even head dimension; n_embd / n_head = 3")]
    [InlineData("model: {logit_softcap: -1}", "model.logit_softcap: must be >= 0 (0 disables), got -1")]
    [InlineData("model: {activation: swish}", "model.activation: expected one of gelu, relu2, swiglu, got 'swish'")]
    [InlineData("model: {position: alibi}", "model.position: expected one of learned, rope, got 'alibi'")]
    [InlineData("optim: {kind: sgd}", "optim.kind: expected one of adamw, muon, got 'sgd'")]
    [InlineData("optim: {muon_momentum: 1}", "optim.muon_momentum: must be in [0, 1), got 1")]
    [InlineData("optim: {matrix_lr: 0}", "optim.matrix_lr: must be > 0 or null, got 0")]
    [InlineData("train: {batch_size: 4, batch_tokens: 1000}", "train.batch_tokens: 1000 is not a multiple of train.batch_size × model.block_size = 256")]
    [InlineData("train: {grad_accum: 2, batch_tokens: 512}", "train.batch_tokens: set either train.batch_tokens or train.grad_accum, not both")]
    [InlineData("model: {norm: batchnorm}", "model.norm: expected one of layernorm, rmsnorm, got 'batchnorm'")]
    [InlineData("model: {bias: maybe}", "model.bias: expected true or false, got 'maybe'")]
    [InlineData("model: {norm_gain: false}", "model.norm_gain: false needs model.norm: rmsnorm (LayerNorm always has a gain)")]
    [InlineData("model: {mlp_ratio: 0}", "model.mlp_ratio: must be > 0 and give at least one hidden unit, got 0")]
    [InlineData("schedule: {kind: wsd, decay_fraction: 1.5}", "schedule.decay_fraction: must be in (0, 1], got 1.5")]
    public void InvalidKnobsAreNamed(string yaml, string expected)
    {
        var errors = _files.Errors(yaml + "\ndata: {path: corpus.txt}");
        Assert.Contains(errors, e => e.ToString().EndsWith(expected, StringComparison.Ordinal));
    }
}
