using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

public sealed class RecipeParsingTests : IDisposable
{
    private const string FullYaml = """
        # every key, none at its default
        name: shakespeare-cpu
        seed: 7
        model:
          n_layer: 6
          n_head: 6
          n_embd: 192
          block_size: 128
          vocab_size: 512
        optim:
          lr: 3.0e-4
          beta1: 0.8
          beta2: 0.95
          eps: 1.0e-6
          weight_decay: 0.0
          grad_clip: 0.5
        schedule:
          kind: constant
          warmup_steps: 10
          min_lr_ratio: 0.0
        data:
          format: text
          path: corpus.txt
          val_path: null
          val_fraction: 0.2
        train:
          batch_size: 8
          grad_accum: 4
          threads: 2
          checkpoint_interval: 100
          divergence_margin: 2.5
        budget:
          tokens: 1000000
        eval:
          interval: 50
          tokens: 4096
        """;

    private const string FullJson = """
        {
          "eval": { "tokens": 4096, "interval": 50 },
          "budget": { "tokens": 1000000 },
          "train": { "divergence_margin": 2.5, "checkpoint_interval": 100, "threads": 2, "grad_accum": 4, "batch_size": 8 },
          "data": { "val_fraction": 0.2, "val_path": null, "path": "corpus.txt", "format": "text" },
          "schedule": { "min_lr_ratio": 0, "warmup_steps": 10, "kind": "constant" },
          "optim": { "grad_clip": 0.5, "weight_decay": 0, "eps": 1e-6, "beta2": 0.95, "beta1": 0.8, "lr": 0.0003 },
          "model": { "vocab_size": 512, "block_size": 128, "n_embd": 192, "n_head": 6, "n_layer": 6 },
          "seed": 7,
          "name": "shakespeare-cpu"
        }
        """;

    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void FullYamlSetsEveryField()
    {
        var expected = new Recipe(
            "shakespeare-cpu",
            7,
            new ModelSpec(6, 6, 192, 128, 512),
            new OptimSpec(3e-4, 0.8, 0.95, 1e-6, 0.0, 0.5),
            new ScheduleSpec(ScheduleKind.Constant, 10, 0.0),
            new DataSpec(DataFormat.Text, _files.Corpus, null, 0.2),
            new TrainSpec(8, 4, 2, 100, 2.5),
            new BudgetSpec(Tokens: 1_000_000),
            new EvalSpec(50, 4096));

        Assert.Equal(expected, _files.Parse(FullYaml));
    }

    [Fact]
    public void EquivalentJsonParsesToTheSameRecipe()
    {
        Assert.Equal(_files.Parse(FullYaml), _files.Parse(FullJson));
    }

    [Fact]
    public void ShardFormatTakesBothShards()
    {
        var recipe = _files.Parse("data: {format: shard, path: train.bin, val_path: val.bin}");

        Assert.Equal(new DataSpec(DataFormat.Shard, _files.TrainShard, _files.ValShard, 0.1), recipe.Data);
    }

    [Fact]
    public void RelativeDataPathsResolveAgainstTheRecipeDirectory()
    {
        var nested = _files.Write("data/nested/tiny.txt", "abc");
        var recipePath = _files.Write("recipes/tiny.yaml", "data:\n  path: ../data/nested/tiny.txt\n");

        var recipe = RecipeLoader.Load(recipePath);

        Assert.Equal(nested, recipe.Data.Path);
    }

    [Fact]
    public void LoadAppliesOverridesAfterTheFile()
    {
        var recipePath = _files.Write("run.yaml", "seed: 1\ndata: {path: corpus.txt}\n");

        var recipe = RecipeLoader.Load(recipePath, ["seed=5"]);

        Assert.Equal(5, recipe.Seed);
        Assert.Equal(_files.Corpus, recipe.Data.Path);
    }

    [Fact]
    public void AbsoluteDataPathsAreKept()
    {
        var recipe = RecipeLoader.Parse($"data:\n  path: '{_files.Corpus}'\n", baseDirectory: "/nowhere");

        Assert.Equal(_files.Corpus, recipe.Data.Path);
    }

    [Theory]
    [InlineData("2000000")]
    [InlineData("2_000_000")]
    [InlineData("2e6")]
    [InlineData("2.0e+6")]
    public void IntegerBudgetsAcceptCommonNotations(string steps)
    {
        var recipe = _files.Parse($"data: {{path: corpus.txt}}\nbudget: {{steps: {steps}}}");

        Assert.Equal(2_000_000, recipe.Budget.Steps);
    }

    [Fact]
    public void FloatingBudgetsAcceptExponents()
    {
        var recipe = _files.Parse("data: {path: corpus.txt}\nbudget: {flops: 1.5e15}");

        Assert.Equal(new BudgetSpec(Flops: 1.5e15), recipe.Budget);
    }

    [Fact]
    public void FileBudgetReplacesTheDefaultBudget()
    {
        var recipe = _files.Parse("data: {path: corpus.txt}\nbudget: {seconds: 60}");

        Assert.Equal(new BudgetSpec(Seconds: 60), recipe.Budget);
    }

    [Fact]
    public void QuotedNameStaysAString()
    {
        var recipe = _files.Parse("name: '123'\ndata: {path: corpus.txt}");

        Assert.Equal("123", recipe.Name);
    }
}
