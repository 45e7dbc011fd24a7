using System.Text.Json;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

public sealed class RecipeJsonTests : IDisposable
{
    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    private Recipe Sample => Recipe.Default with
    {
        Name = "sample",
        Data = new DataSpec(DataFormat.Shard, _files.TrainShard, _files.ValShard, 0.1),
        Budget = new BudgetSpec(Flops: 1.5e15),
    };

    [Fact]
    public void ToJsonWritesEveryKeyInSnakeCase()
    {
        using var json = JsonDocument.Parse(Sample.ToJson());
        var root = json.RootElement;

        Assert.Equal(
            ["name", "seed", "model", "optim", "schedule", "data", "train", "budget", "eval"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["n_layer", "n_head", "n_embd", "block_size", "vocab_size", "norm", "norm_gain", "activation", "mlp_ratio", "bias", "tie_head", "position", "rope_theta", "qk_norm", "n_kv_head", "logit_softcap", "zero_init_proj", "init_std", "embed_norm"],
            root.GetProperty("model").EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["kind", "lr", "embedding_lr", "head_lr", "matrix_lr", "scalar_lr", "muon_momentum", "ns_steps", "beta1", "beta2", "eps", "weight_decay",
             "embedding_beta1", "embedding_beta2", "embedding_weight_decay", "head_beta1", "head_beta2", "head_weight_decay",
             "matrix_beta1", "matrix_beta2", "matrix_weight_decay", "scalar_beta1", "scalar_beta2", "scalar_weight_decay", "grad_clip"],
            root.GetProperty("optim").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("optim").GetProperty("scalar_weight_decay").ValueKind);
        Assert.Equal("cosine", root.GetProperty("schedule").GetProperty("kind").GetString());
        Assert.Equal("layernorm", root.GetProperty("model").GetProperty("norm").GetString());
        Assert.True(root.GetProperty("model").GetProperty("tie_head").GetBoolean());
        Assert.Equal("shard", root.GetProperty("data").GetProperty("format").GetString());
        Assert.Equal(_files.ValShard, root.GetProperty("data").GetProperty("val_path").GetString());
        Assert.Equal(0.9, root.GetProperty("optim").GetProperty("beta1").GetDouble());
    }

    [Fact]
    public void ToJsonLeavesOutUnsetBudgetsButKeepsOtherNulls()
    {
        var recipe = Sample with { Data = new DataSpec(DataFormat.Text, _files.Corpus, null, 0.1) };
        using var json = JsonDocument.Parse(recipe.ToJson());

        Assert.Equal(["flops"], json.RootElement.GetProperty("budget").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("data").GetProperty("val_path").ValueKind);
    }

    [Fact]
    public void ToJsonIsIndentedWithUnixNewlines()
    {
        var json = Sample.ToJson();

        Assert.StartsWith("{\n  \"name\": \"sample\",\n  \"seed\": 1337,\n  \"model\": {\n    \"n_layer\": 4,", json);
        Assert.DoesNotContain("\r", json);
    }

    [Fact]
    public void FromJsonRoundTrips()
    {
        var recipe = Sample with { Optim = OptimSpec.Default with { Lr = 3.3e-4, Eps = 1e-10 }, Seed = 0 };

        Assert.Equal(recipe, Recipe.FromJson(recipe.ToJson()));
    }

    [Fact]
    public void FromJsonRoundTripsAParsedRecipe()
    {
        var recipe = _files.Parse("name: x\ndata: {path: corpus.txt}\nbudget: {seconds: 90.5}\neval: {tokens: 1e9}");

        Assert.Equal(recipe, Recipe.FromJson(recipe.ToJson()));
    }

    [Fact]
    public void FromJsonDoesNotNeedTheDataFiles()
    {
        var json = Sample.ToJson();
        File.Delete(_files.TrainShard);
        File.Delete(_files.ValShard);

        Assert.Equal(Sample, Recipe.FromJson(json));
    }

    [Fact]
    public void FromJsonStillValidates()
    {
        var json = (Sample with { Model = ModelSpec.Default with { NHead = 3 } }).ToJson();

        var error = Assert.Single(Assert.Throws<RecipeException>(() => Recipe.FromJson(json)).Errors);

        Assert.Equal("<json>:7: model.n_embd: 128 is not divisible by model.n_head (3)", error.ToString());
    }

    [Fact]
    public void HashIsLowercaseHexSha256()
    {
        Assert.Matches("^[0-9a-f]{64}$", Sample.Hash);
        Assert.Equal(Sample.Hash[..16], Sample.ShortHash);
    }

    [Fact]
    public void HashIgnoresKeyOrderAndFormatting()
    {
        var block = _files.Parse("""
            model:
              n_layer: 2
              n_head: 2
            optim:
              lr: 0.001
            data:
              path: corpus.txt
            """);
        var flow = _files.Parse("""
            data: {path: "./corpus.txt"}   # same file
            optim: {lr: 1.0e-3}
            model: {n_head: 2, n_layer: 2.0}
            """);

        Assert.Equal(block.Hash, flow.Hash);
    }

    [Fact]
    public void HashChangesWithAnyValue()
    {
        var recipe = Sample;

        Assert.NotEqual(recipe.Hash, (recipe with { Seed = 1338 }).Hash);
        Assert.NotEqual(recipe.Hash, (recipe with { Optim = recipe.Optim with { Lr = 2e-3 } }).Hash);
        Assert.NotEqual(recipe.Hash, (recipe with { Budget = new BudgetSpec(Tokens: 1) }).Hash);
    }

    [Fact]
    public void HashIgnoresTheName()
    {
        Assert.Equal(Sample.Hash, (Sample with { Name = "renamed" }).Hash);
    }

    [Fact]
    public void HashIsStableAcrossProcesses()
    {
        // Pinned so that an accidental change to the canonical form, which would orphan stored runs, fails loudly.
        // Last deliberate change: the hash covers only keys that differ from their defaults, so new keys with
        // behaviour-preserving defaults no longer move it.
        var recipe = Recipe.Default with { Data = DataSpec.Default with { Path = "/data/corpus.txt" } };

        Assert.Equal("9690f414c7098627", recipe.ShortHash);
    }

    [Fact]
    public void HashCoversEveryChangedKeyAndNoDefaultOne()
    {
        var stride = Sample with { Eval = Sample.Eval with { Stride = 8 } };
        var backToDefault = stride with { Eval = stride.Eval with { Stride = EvalSpec.Default.Stride } };

        Assert.NotEqual(Sample.Hash, stride.Hash);
        Assert.Equal(Sample.Hash, backToDefault.Hash);
        // A budget switched from the default steps to tokens differs from one that keeps the steps as well.
        var tokens = Sample with { Budget = new BudgetSpec(Steps: null, Tokens: 1_000_000, Flops: null, Seconds: null) };
        var both = Sample with { Budget = new BudgetSpec(Steps: BudgetSpec.Default.Steps, Tokens: 1_000_000, Flops: null, Seconds: null) };
        Assert.NotEqual(tokens.Hash, both.Hash);
    }
}
