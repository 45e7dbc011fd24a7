using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

public sealed class RecipeDefaultsTests : IDisposable
{
    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void DefaultHasTheDocumentedValues()
    {
        var r = Recipe.Default;
        Assert.Equal("run", r.Name);
        Assert.Equal(1337, r.Seed);
        Assert.Equal(new ModelSpec(4, 4, 128, 64, 256), r.Model);
        Assert.Equal(new OptimSpec(1e-3, 0.9, 0.99, 1e-8, 0.1, 1.0), r.Optim);
        Assert.Equal(new ScheduleSpec(ScheduleKind.Cosine, 100, 0.1), r.Schedule);
        Assert.Equal(new DataSpec(DataFormat.Text, "", null, 0.1), r.Data);
        Assert.Equal(new TrainSpec(12, 1, 0, 0, 3.0), r.Train);
        Assert.Equal(new BudgetSpec(Steps: 2000), r.Budget);
        Assert.Equal(new EvalSpec(250, 0), r.Eval);
    }

    [Fact]
    public void DefaultIsInvalidOnlyForTheMissingDataPath()
    {
        var error = Assert.Single(RecipeValidator.Validate(Recipe.Default));
        Assert.Equal("data.path", error.Path);
        Assert.Equal("required", error.Message);
    }

    [Fact]
    public void RecipeWithOnlyADataPathIsTheDefault()
    {
        var recipe = _files.Parse("data:\n  path: corpus.txt\n");

        Assert.Equal(Recipe.Default with { Data = DataSpec.Default with { Path = _files.Corpus } }, recipe);
    }

    [Fact]
    public void EmptySectionsKeepDefaults()
    {
        var recipe = _files.Parse("model:\noptim: {}\nbudget:\ndata:\n  path: corpus.txt\n");

        Assert.Equal(ModelSpec.Default, recipe.Model);
        Assert.Equal(OptimSpec.Default, recipe.Optim);
        Assert.Equal(BudgetSpec.Default, recipe.Budget);
    }

    [Fact]
    public void EmptyTextNeedsOnlyADataPath()
    {
        var error = Assert.Single(_files.Errors(""));
        Assert.Equal("test.yaml: data.path: required", error.ToString());
    }
}
