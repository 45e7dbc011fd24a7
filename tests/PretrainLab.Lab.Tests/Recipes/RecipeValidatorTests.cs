using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

public sealed class RecipeValidatorTests : IDisposable
{
    private const string Valid = "data:\n  path: corpus.txt\n";

    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("seed=-1", "seed", "must be >= 0, got -1")]
    [InlineData("model.n_layer=0", "model.n_layer", "must be >= 1, got 0")]
    [InlineData("model.n_head=0", "model.n_head", "must be >= 1, got 0")]
    [InlineData("model.n_embd=0", "model.n_embd", "must be >= 1, got 0")]
    [InlineData("model.block_size=0", "model.block_size", "must be >= 1, got 0")]
    [InlineData("model.vocab_size=1", "model.vocab_size", "must be >= 2, got 1")]
    [InlineData("optim.lr=0", "optim.lr", "must be > 0, got 0")]
    [InlineData("optim.lr=-1", "optim.lr", "must be > 0, got -1")]
    [InlineData("optim.beta1=1", "optim.beta1", "must be in [0, 1), got 1")]
    [InlineData("optim.beta1=-0.1", "optim.beta1", "must be in [0, 1), got -0.1")]
    [InlineData("optim.beta2=1.5", "optim.beta2", "must be in [0, 1), got 1.5")]
    [InlineData("optim.eps=0", "optim.eps", "must be > 0, got 0")]
    [InlineData("optim.weight_decay=-0.01", "optim.weight_decay", "must be >= 0, got -0.01")]
    [InlineData("optim.grad_clip=-1", "optim.grad_clip", "must be >= 0, got -1")]
    [InlineData("optim.embedding_beta1=1", "optim.embedding_beta1", "must be in [0, 1) or null, got 1")]
    [InlineData("optim.head_beta2=-0.5", "optim.head_beta2", "must be in [0, 1) or null, got -0.5")]
    [InlineData("optim.matrix_beta1=1.2", "optim.matrix_beta1", "must be in [0, 1) or null, got 1.2")]
    [InlineData("optim.scalar_beta2=1", "optim.scalar_beta2", "must be in [0, 1) or null, got 1")]
    [InlineData("optim.embedding_weight_decay=-1", "optim.embedding_weight_decay", "must be >= 0 or null, got -1")]
    [InlineData("optim.head_weight_decay=-0.1", "optim.head_weight_decay", "must be >= 0 or null, got -0.1")]
    [InlineData("optim.matrix_weight_decay=-0.01", "optim.matrix_weight_decay", "must be >= 0 or null, got -0.01")]
    [InlineData("optim.scalar_weight_decay=-2", "optim.scalar_weight_decay", "must be >= 0 or null, got -2")]
    [InlineData("schedule.warmup_steps=-5", "schedule.warmup_steps", "must be >= 0, got -5")]
    [InlineData("schedule.min_lr_ratio=1.1", "schedule.min_lr_ratio", "must be in [0, 1], got 1.1")]
    [InlineData("schedule.min_lr_ratio=-0.1", "schedule.min_lr_ratio", "must be in [0, 1], got -0.1")]
    [InlineData("data.val_fraction=0", "data.val_fraction", "must be in (0, 0.5], got 0")]
    [InlineData("data.val_fraction=0.6", "data.val_fraction", "must be in (0, 0.5], got 0.6")]
    [InlineData("train.batch_size=0", "train.batch_size", "must be >= 1, got 0")]
    [InlineData("train.grad_accum=0", "train.grad_accum", "must be >= 1, got 0")]
    [InlineData("train.threads=-1", "train.threads", "must be >= 0, got -1")]
    [InlineData("train.checkpoint_interval=-1", "train.checkpoint_interval", "must be >= 0, got -1")]
    [InlineData("train.divergence_margin=0", "train.divergence_margin", "must be > 0, got 0")]
    [InlineData("budget.steps=0", "budget.steps", "must be > 0, got 0")]
    [InlineData("budget.tokens=-1", "budget.tokens", "must be > 0, got -1")]
    [InlineData("budget.flops=0", "budget.flops", "must be > 0, got 0")]
    [InlineData("budget.seconds=-2.5", "budget.seconds", "must be > 0, got -2.5")]
    [InlineData("eval.interval=0", "eval.interval", "must be >= 1, got 0")]
    [InlineData("eval.tokens=-1", "eval.tokens", "must be >= 0, got -1")]
    [InlineData("eval.stride=-1", "eval.stride", "must be between 0 and model.block_size (64), got -1")]
    [InlineData("eval.stride=65", "eval.stride", "must be between 0 and model.block_size (64), got 65")]
    public void OutOfRangeValueIsReported(string setting, string path, string message)
    {
        var error = Assert.Single(_files.Errors(Valid, setting));

        Assert.Equal(new RecipeError(path, message, "override"), error);
    }

    [Theory]
    [InlineData("optim.beta1=0", "optim.grad_clip=0", "optim.weight_decay=0")]
    [InlineData("schedule.min_lr_ratio=0", "schedule.warmup_steps=0", "data.val_fraction=0.5")]
    [InlineData("schedule.min_lr_ratio=1", "train.threads=0", "eval.tokens=0")]
    [InlineData("eval.stride=1", "model.block_size=64", "eval.tokens=1")]
    [InlineData("eval.stride=64", "model.block_size=64", "eval.stride=0")]
    [InlineData("optim.embedding_beta1=0", "optim.head_beta2=0.999", "optim.scalar_weight_decay=0")]
    [InlineData("optim.matrix_beta1=null", "optim.matrix_weight_decay=0", "optim.scalar_beta1=0")]
    public void BoundaryValuesAreAccepted(params string[] settings)
    {
        _files.Parse(Valid, settings);
    }

    [Fact]
    public void EmbeddingWidthMustBeDivisibleByHeads()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nmodel:\n  n_head: 3\n  n_embd: 100\n"));

        Assert.Equal("test.yaml:4: model.n_embd: 100 is not divisible by model.n_head (3)", error.ToString());
    }

    [Fact]
    public void IndivisibleDefaultWidthPointsAtItsSection()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nmodel:\n  n_head: 3\n"));

        Assert.Equal("test.yaml:2: model.n_embd: 128 is not divisible by model.n_head (3)", error.ToString());
    }

    [Fact]
    public void ZeroBudgetsIsAnError()
    {
        var error = Assert.Single(_files.Errors($"{Valid}budget:\n  steps: null\n"));

        Assert.Equal("test.yaml:3: budget: set exactly one of steps, tokens, flops, seconds; none is set",
            error.ToString());
    }

    [Fact]
    public void TwoBudgetsIsAnError()
    {
        var error = Assert.Single(_files.Errors($"{Valid}budget:\n  steps: 10\n  flops: 1e12\n"));

        Assert.Equal("test.yaml:3: budget: set exactly one of steps, tokens, flops, seconds; got steps and flops",
            error.ToString());
    }

    [Fact]
    public void MissingDataFileIsNamedByItsAbsolutePath()
    {
        var error = Assert.Single(_files.Errors("data:\n  path: missing.txt\n"));

        var expected = Path.Combine(_files.Directory, "missing.txt");
        Assert.Equal($"test.yaml:2: data.path: file not found: {expected}", error.ToString());
    }

    [Fact]
    public void MissingDataFileIsAcceptedWhenFilesAreNotChecked()
    {
        var recipe = RecipeLoader.Parse("data: {path: missing.txt}", _files.Directory, checkFiles: false);

        Assert.Equal(Path.Combine(_files.Directory, "missing.txt"), recipe.Data.Path);
    }

    [Fact]
    public void ShardWithoutValPathIsAnError()
    {
        var error = Assert.Single(_files.Errors("data:\n  format: shard\n  path: train.bin\n"));

        Assert.Equal("test.yaml:1: data.val_path: required for the shard format (the validation shard)",
            error.ToString());
    }

    [Fact]
    public void ShardWithMissingValShardIsAnError()
    {
        var error = Assert.Single(_files.Errors("data: {format: shard, path: train.bin, val_path: nope.bin}"));

        var expected = Path.Combine(_files.Directory, "nope.bin");
        Assert.Equal($"test.yaml:1: data.val_path: file not found: {expected}", error.ToString());
    }

    [Fact]
    public void TextWithValPathIsAnError()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt, val_path: val.bin}"));

        Assert.Equal("data.val_path", error.Path);
        Assert.StartsWith("must be null for the text format", error.Message);
    }

    [Fact]
    public void ValidateCollectsEveryProblemOfABuiltRecipe()
    {
        var recipe = Recipe.Default with
        {
            Data = DataSpec.Default with { Path = _files.Corpus },
            Optim = OptimSpec.Default with { Lr = double.NaN, Beta2 = 1 },
            Budget = new BudgetSpec(),
        };

        Assert.Equal(
            ["optim.lr: must be > 0, got NaN", "optim.beta2: must be in [0, 1), got 1",
                "budget: set exactly one of steps, tokens, flops, seconds; none is set"],
            RecipeValidator.Validate(recipe).Select(e => e.ToString()));
    }

    [Fact]
    public void UndefinedEnumValuesOfABuiltRecipeAreReported()
    {
        var recipe = Recipe.Default with
        {
            Data = DataSpec.Default with { Path = _files.Corpus, Format = (DataFormat)9 },
            Schedule = ScheduleSpec.Default with { Kind = (ScheduleKind)9 },
        };

        Assert.Equal(
            ["schedule.kind: must be a defined schedule, got 9", "data.format: must be a defined format, got 9"],
            RecipeValidator.Validate(recipe).Select(e => e.ToString()));
    }
}
