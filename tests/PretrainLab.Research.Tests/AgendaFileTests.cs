using PretrainLab.Lab.Recipes;
using PretrainLab.Research.Agendas;

namespace PretrainLab.Research.Tests;

public sealed class AgendaFileTests : IDisposable
{
    private readonly ResearchFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ReadsEveryPartOfTheAgenda()
    {
        var agenda = _folder.LoadAgenda();

        Assert.Equal("tiny", agenda.Name);
        Assert.Equal(new Objective("val_bpb", "minimize"), agenda.Objective);
        Assert.Equal(Path.Combine(_folder.Directory, "tiny.yaml"), agenda.Baseline);
        Assert.Equal(["budget.steps=40"], agenda.PerRun);
        Assert.Equal(30, agenda.Budget.Runs);
        Assert.Equal(new SeedPlan(3, 1, 3), agenda.Seeds);
        Assert.Equal(["optim.lr", "model.n_layer", "model.activation", "optim.weight_decay"], agenda.Knobs.Select(k => k.Path));
        Assert.Equal([KnobKind.LogFloat, KnobKind.Int, KnobKind.Categorical, KnobKind.Float], agenda.Knobs.Select(k => k.Kind));
        Assert.Equal(["gelu", "relu2"], agenda.Knobs[2].Choices);
        Assert.Equal(100000, agenda.Constraints.MaxParams);
        Assert.Equal("Start with the learning rate.", agenda.Guidance);
        Assert.Equal(agenda.ToJson(), Agenda.FromJson(agenda.ToJson()).ToJson());
    }

    [Fact]
    public void ReportsEveryProblemAtOnceWithItsLine()
    {
        _folder.Write("bad.md", """
            ---
            name: bad
            objective: {metric: val_bpb, direction: maximize}
            baseline: tiny.yaml
            budjet: {runs: 10}
            knobs:
              optim.lr: {type: log_float, min: 1e-2, max: 1e-4}
              data.path: [a.txt, b.txt]
              model.activation: [gelu, swish]
              model.n_layer: {type: float, min: 1, max: 4}
              optim.beta1: {type: log_float, min: 0, max: 0.9}
            ---
            """);

        var errors = Assert.Throws<RecipeException>(() => _folder.LoadAgenda("bad.md")).Errors;
        var text = string.Join("\n", errors);

        Assert.Contains(errors, e => e.Path == "budjet" && e.Message.Contains("did you mean 'budget'") && e.Line == 5);
        Assert.Contains(errors, e => e.Path == "budget" && e.Message.StartsWith("required"));
        Assert.Contains(errors, e => e.Path == "objective.direction" && e.Message.Contains("minimize"));
        Assert.Contains(errors, e => e.Path == "knobs.optim.lr" && e.Message.Contains("must be below max") && e.Line == 7);
        Assert.Contains(errors, e => e.Path == "knobs.data.path" && e.Message.Contains("cannot be a knob") && e.Line == 8);
        Assert.Contains(errors, e => e.Path == "knobs.model.activation" && e.Message.Contains("value swish") && e.Line == 9);
        Assert.Contains(errors, e => e.Path == "knobs.model.n_layer" && e.Message.Contains("value 2.5: expected an integer"));
        Assert.Contains(errors, e => e.Path == "knobs.optim.beta1" && e.Message.Contains("min > 0"));
        Assert.All(errors, e => Assert.Equal("bad.md", e.Source));
        Assert.True(errors.Count >= 8, text);
    }

    [Fact]
    public void NeedsFrontMatterAndAValidBaseline()
    {
        _folder.Write("plain.md", "# just notes\n");
        var missing = Assert.Throws<RecipeException>(() => _folder.LoadAgenda("plain.md")).Errors;
        Assert.Contains("front matter", missing.Single().Message);

        _folder.Write("broken.yaml", "model: {n_layer: 0}\ndata: {path: corpus.txt}\n");
        _folder.Write("b.md", "---\nbaseline: broken.yaml\nbudget: {runs: 3}\nknobs: {optim.lr: {type: float, min: 0.001, max: 0.01}}\n---\n");
        var errors = Assert.Throws<RecipeException>(() => _folder.LoadAgenda("b.md")).Errors;
        Assert.Contains(errors, e => e.Path == "model.n_layer" && e.Source!.StartsWith("baseline ("));
    }

    [Fact]
    public void RefusesAFlopBudgetOverWallClockRuns()
    {
        _folder.Write("time.md", "---\nbaseline: tiny.yaml\nper_run: {seconds: 5}\nbudget: {flops: 1e12}\nknobs: {optim.lr: [0.001, 0.003]}\n---\n");
        var errors = Assert.Throws<RecipeException>(() => _folder.LoadAgenda("time.md")).Errors;
        Assert.Contains(errors, e => e.Path == "per_run" && e.Message.Contains("not seconds"));
    }
}
