using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Studies;
using PretrainLab.Lab.Tests.Runs;

namespace PretrainLab.Lab.Tests.Studies;

public sealed class StudyFileTests : IDisposable
{
    private readonly RunFixture _fixture = new();

    public StudyFileTests() => File.WriteAllText(Path.Combine(_fixture.Directory, "tiny.yaml"), RunFixture.TinyRecipe);

    public void Dispose() => _fixture.Dispose();

    private StudySpec Parse(string text) => StudyFile.Parse(text, _fixture.Directory, "study.yaml", "default-name");

    private IReadOnlyList<RecipeError> Errors(string text) => Assert.Throws<RecipeException>(() => Parse(text)).Errors;

    [Fact]
    public void VariantsGetTheSharedOverridesAndASeedCountStartsAtTheBaselinesSeed()
    {
        var spec = Parse("""
            baseline: tiny.yaml
            seeds: 3
            set: [train.threads=1]
            budget: {steps: 8}
            variants:
              - {label: lr, set: [optim.lr=1e-2]}
              - {label: relu2, set: {model.activation: relu2}}
            """);
        Assert.Equal("default-name", spec.Name);
        Assert.Equal([7, 8, 9], spec.Seeds);
        Assert.Equal("val_bpb", spec.Objective);
        Assert.Equal(["baseline", "lr", "relu2"], spec.Variants.Select(v => v.Label));
        Assert.Equal(["train.threads=1", "budget.steps=8", "optim.lr=1e-2"], spec.Variants[1].Overrides);
        Assert.Equal(["train.threads=1", "budget.steps=8", "model.activation=relu2"], spec.Variants[2].Overrides);
        Assert.Equal(spec, StudySpec.FromJson(spec.ToJson()) with { Seeds = spec.Seeds, Variants = spec.Variants });

        var (planned, runs) = StudyPlanner.Plan(spec, Path.Combine(_fixture.Directory, "runs"));
        Assert.Equal(9, runs.Count);
        Assert.Equal(3, planned.Variants.Count);
        Assert.All(runs, r => Assert.Equal(8, r.Recipe.Budget.Steps));
        Assert.Equal(new Dictionary<string, string> { ["optim.lr"] = "0.01" }, runs[3].Knobs);
        Assert.Empty(runs[0].Knobs);
        Assert.Equal([7, 8, 9], runs.Where(r => r.Label == "relu2").Select(r => r.Recipe.Seed));
        Assert.Equal(runs.Count, runs.Select(r => r.RunDirectory).Distinct().Count());
    }

    [Fact]
    public void AGridIsTheProductOfItsAxesWithoutRepeatingTheBaseline()
    {
        var spec = Parse("""
            name: g
            baseline: tiny.yaml
            seeds: [1]
            grid:
              optim.lr: [3.0e-3, 1e-3]
              model.n_layer: [1, 2]
            """);
        Assert.Equal(5, spec.Variants.Count);
        Assert.All(spec.Variants.Skip(1), v => Assert.True(v.GridPoint));
        // tiny.yaml has lr 3e-3 and 2 layers: that grid point is the baseline.
        var (planned, runs) = StudyPlanner.Plan(spec, _fixture.Directory);
        Assert.Equal(4, planned.Variants.Count);
        Assert.DoesNotContain(planned.Variants, v => v.Label == "optim.lr=3.0e-3,model.n_layer=2");
        Assert.Equal(4, runs.Count);
    }

    [Fact]
    public void ARecipeListNeedsNoBaselineKey()
    {
        File.WriteAllText(Path.Combine(_fixture.Directory, "wide.yaml"), RunFixture.TinyRecipe.Replace("n_embd: 32", "n_embd: 64"));
        var spec = Parse("""
            seeds: [1, 2]
            objective: val_loss
            halving: {eta: 3, min_fraction: 0.2}
            recipes: [tiny.yaml, wide.yaml]
            """);
        Assert.Equal(["tiny", "wide"], spec.Variants.Select(v => v.Label));
        Assert.Equal("tiny", spec.Baseline);
        Assert.Equal(new HalvingSpec(3, 0.2), spec.Halving);
        var (_, runs) = StudyPlanner.Plan(spec, _fixture.Directory);
        Assert.Equal(new Dictionary<string, string> { ["model.n_embd"] = "64" }, runs[2].Knobs);
        // 20 steps: rungs at 20 %, 60 %, 100 % → the first pause is at step 4.
        Assert.All(runs, r => Assert.Equal(4, r.TargetStep));
    }

    [Fact]
    public void EveryProblemIsReportedWithItsKeyAndLine()
    {
        var errors = Errors("""
            baseline: nowhere.yaml
            seed: 3
            objective: accuracy
            halving: {eta: 1}
            """);
        Assert.Contains(errors, e => e.ToString() == "study.yaml:2: seed: unknown key; did you mean 'seeds'?");
        Assert.Contains(errors, e => e.Path == "baseline" && e.Message.StartsWith("file not found:") && e.Line == 1);
        Assert.Contains(errors, e => e.Path == "objective" && e.Line == 3);
        Assert.Contains(errors, e => e.Path == "halving.eta" && e.Message == "expected an integer >= 2, got '1'");
        Assert.Contains(errors, e => e.Path == "seeds" && e.Message.StartsWith("required"));
    }

    [Fact]
    public void IntegersAndUnknownKeysAreReadAsInAgendas()
    {
        // One reader (YamlFileReader) for study files and agendas: an integer may be written as a number, and the
        // "did you mean" follows the recipe's rule (a near key, or one the typo is a prefix of).
        var spec = Parse("baseline: tiny.yaml\nseeds: 2.0\nmax_attempts: 1e1\n");
        Assert.Equal([7, 8], spec.Seeds);
        Assert.Equal(10, spec.MaxAttempts);

        var errors = Errors("baseline: tiny.yaml\nseeds: 2.5\nmax_att: 3\n");
        Assert.Contains(errors, e => e.ToString() == "study.yaml:2: seeds: expected an integer >= 1, got '2.5'");
        Assert.Contains(errors, e => e.ToString() == "study.yaml:3: max_att: unknown key; did you mean 'max_attempts'?");
    }

    [Fact]
    public void DuplicateLabelsAndIdenticalVariantsAreRefused()
    {
        Assert.Contains(Errors("""
            baseline: tiny.yaml
            seeds: 1
            variants:
              - {label: x, set: [optim.lr=1e-3]}
              - {label: x, set: [optim.lr=2e-3]}
            """), e => e.Message == "label 'x' is used twice");
        var spec = Parse("""
            baseline: tiny.yaml
            seeds: 1
            variants:
              - {label: same, set: [optim.lr=3e-3]}
            """);
        var e = Assert.Throws<RecipeException>(() => StudyPlanner.Plan(spec, _fixture.Directory));
        Assert.Contains("variants 'baseline' and 'same' train the same recipe", e.Message);
    }

    [Fact]
    public void HalvingNeedsABudgetWithAKnownStepCount()
    {
        var spec = Parse("""
            baseline: tiny.yaml
            seeds: 1
            budget: {seconds: 10}
            halving: {eta: 2}
            """);
        var e = Assert.Throws<RecipeException>(() => StudyPlanner.Plan(spec, _fixture.Directory));
        Assert.Contains("successive halving needs a steps, tokens or flops budget", e.Message);
    }

    [Fact]
    public void EarlyStoppingIsReadAndCannotBeCombinedWithHalving()
    {
        var spec = Parse("""
            baseline: tiny.yaml
            seeds: 1
            early_stopping: {min_fraction: 0.5}
            """);
        Assert.Equal(new EarlyStoppingSpec(0.5, 3), spec.EarlyStopping);
        Assert.Contains(Errors("""
            baseline: tiny.yaml
            seeds: 1
            halving: {eta: 2}
            early_stopping: {min_finished: 2}
            """), e => e.Path == "early_stopping" && e.Message.StartsWith("give halving or early_stopping"));
    }
}
