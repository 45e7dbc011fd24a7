using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

public sealed class RecipeOverrideTests : IDisposable
{
    private const string Base = """
        name: base
        data:
          path: corpus.txt
        budget:
          steps: 100
        """;

    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void OverridesSetEachKindOfValue()
    {
        var recipe = _files.Parse(
            Base,
            "name=tuned", "seed=3", "model.n_layer=8", "optim.lr=3e-4", "schedule.kind=constant",
            "eval.tokens=8192", "data.val_fraction=0.05");

        Assert.Equal("tuned", recipe.Name);
        Assert.Equal(3, recipe.Seed);
        Assert.Equal(8, recipe.Model.NLayer);
        Assert.Equal(3e-4, recipe.Optim.Lr);
        Assert.Equal(ScheduleKind.Constant, recipe.Schedule.Kind);
        Assert.Equal(8192, recipe.Eval.Tokens);
        Assert.Equal(0.05, recipe.Data.ValFraction);
    }

    [Fact]
    public void LaterOverridesWin()
    {
        var recipe = _files.Parse(Base, "seed=1", "seed=2");

        Assert.Equal(2, recipe.Seed);
    }

    [Fact]
    public void OverrideValuesAreYamlScalars()
    {
        var recipe = _files.Parse(Base, "name='42'", "train.divergence_margin= 4.5 ");

        Assert.Equal("42", recipe.Name);
        Assert.Equal(4.5, recipe.Train.DivergenceMargin);
    }

    [Theory]
    [InlineData("data.val_path=null")]
    [InlineData("data.val_path=~")]
    [InlineData("data.val_path=")]
    public void NullOverrideClearsAnOptionalValue(string clear)
    {
        var recipe = _files.Parse(
            "data: {format: shard, path: train.bin, val_path: val.bin}", "data.format=text", clear);

        Assert.Null(recipe.Data.ValPath);
    }

    [Fact]
    public void BudgetOverrideReplacesTheFileBudget()
    {
        var recipe = _files.Parse(Base, "budget.tokens=5e5");

        Assert.Equal(new BudgetSpec(Tokens: 500_000), recipe.Budget);
    }

    [Fact]
    public void BudgetOverridesCombineWithEachOther()
    {
        var error = Assert.Single(_files.Errors(Base, "budget.tokens=5e5", "budget.seconds=60"));

        Assert.Equal("override: budget: set exactly one of steps, tokens, flops, seconds; got tokens and seconds",
            error.ToString());
    }

    [Fact]
    public void NonBudgetOverrideKeepsTheFileBudget()
    {
        var recipe = _files.Parse(Base, "seed=9");

        Assert.Equal(new BudgetSpec(Steps: 100), recipe.Budget);
    }

    [Fact]
    public void RelativeOverridePathsResolveAgainstTheCurrentDirectory()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _files.Corpus);

        var recipe = RecipeLoader.Parse("data: {path: elsewhere.txt}", "/nowhere", [$"data.path={relative}"]);

        Assert.Equal(_files.Corpus, recipe.Data.Path);
    }

    [Fact]
    public void UnknownOverridePathSuggestsTheClosestKey()
    {
        var error = Assert.Single(_files.Errors(Base, "optim.lrr=0.1"));

        Assert.Equal("override: optim.lrr: unknown key; did you mean 'optim.lr'?", error.ToString());
    }

    [Fact]
    public void UnknownOverrideSectionSuggestsTheClosestSection()
    {
        var error = Assert.Single(_files.Errors(Base, "modle.n_layer=2"));

        Assert.Equal("override: modle: unknown key; did you mean 'model'?", error.ToString());
    }

    [Fact]
    public void OverrideOfASectionIsAnError()
    {
        var error = Assert.Single(_files.Errors(Base, "model=big"));

        Assert.Equal("model", error.Path);
        Assert.Equal("is a section; set one of its keys, e.g. 'model.n_layer'", error.Message);
    }

    [Fact]
    public void OverrideBelowAValueIsAnError()
    {
        var error = Assert.Single(_files.Errors(Base, "model.n_layer.x=2"));

        Assert.Equal("override: model.n_layer.x: 'model.n_layer' is a value, not a section", error.ToString());
    }

    [Theory]
    [InlineData("model.n_layer")]
    [InlineData("=3")]
    [InlineData("")]
    public void MalformedOverrideIsNamed(string text)
    {
        var error = Assert.Single(_files.Errors(Base, text));

        Assert.Equal($"override: '{text}' is not of the form dotted.path=value", error.ToString());
    }

    [Fact]
    public void OverrideWithTheWrongTypeNamesTheValue()
    {
        var error = Assert.Single(_files.Errors(Base, "model.n_head=four"));

        Assert.Equal("override: model.n_head: expected an integer, got 'four'", error.ToString());
    }

    [Fact]
    public void OverrideThatIsNotAScalarIsAnError()
    {
        var error = Assert.Single(_files.Errors(Base, "name=[a, b]"));

        Assert.Equal("override: name: expected a string, got a sequence", error.ToString());
    }

    [Fact]
    public void InvalidOverrideValueIsReportedWithRangeErrors()
    {
        var error = Assert.Single(_files.Errors(Base, "optim.lr=-1"));

        Assert.Equal("override: optim.lr: must be > 0, got -1", error.ToString());
    }
}
