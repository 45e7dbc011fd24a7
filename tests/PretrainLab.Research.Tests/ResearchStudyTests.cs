using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

public sealed class ResearchStudyTests : IDisposable
{
    private readonly ResearchFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CreatesTheStudyWithTheBaselineOverTheNoiseSeedsOnce()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);

        var runs = store.ListRuns(new RunQuery { StudyId = study.Study.Id });
        Assert.Equal([1L, 2, 3], runs.Select(r => r.Seed));
        Assert.All(runs, r => Assert.Equal(ResearchStudy.BaselineLabel, r.Label));
        Assert.Equal(40, Recipe.FromJson(store.GetRun(runs[0].Id)!.Recipe!).Budget.Steps);
        Assert.Equal(study.Agenda.ToJson(), ResearchStudy.StoredAgenda(study.Study)!.ToJson());

        var again = _folder.OpenStudy(store);
        Assert.Equal(study.Study.Id, again.Study.Id);
        Assert.Equal(3, store.ListRuns(new RunQuery { StudyId = study.Study.Id }).Count);
        Assert.Equal(study.Study.Id, ResearchStudy.Open(store, (string?)null).Study.Id);

        _folder.Write("other.md", File.ReadAllText(Path.Combine(_folder.Directory, "agenda.md")).Replace("per_run: {steps: 40}", "per_run: {steps: 50}"));
        var changed = Assert.Throws<StoreException>(() => _folder.OpenStudy(store, "other.md"));
        Assert.Contains("another objective or baseline recipe", changed.Message);
    }

    [Fact]
    public void QueuesAValidExperimentWithItsChangesAndJournalsItsHypothesis()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);

        var result = study.Propose([new ExperimentProposal("a higher rate trains faster", new Dictionary<string, string> { ["optim.lr"] = "3e-3", ["model.activation"] = "relu2" }, Seeds: 2)], "test").Single();

        Assert.True(result.Accepted, result.Error);
        Assert.Equal("e1", result.Label);
        Assert.Equal([1, 2], result.Seeds);
        foreach (var id in result.RunIds)
        {
            var run = store.GetRun(id)!;
            var recipe = Recipe.FromJson(run.Recipe!);
            Assert.Equal((0.003, Engine.Model.ActivationKind.Relu2, 40L), (recipe.Optim.Lr, recipe.Model.Activation, recipe.Budget.Steps!.Value));
            Assert.Equal(new Dictionary<string, string> { ["model.activation"] = "relu2", ["optim.lr"] = "0.003" }, run.Knobs);
        }
        var hypothesis = study.ReadJournal().Single(e => e.Kind == ResearchJournal.Hypothesis);
        Assert.Equal(("e1", "test", "a higher rate trains faster"), ResearchJournal.ParseHypothesis(hypothesis.Text));
    }

    [Fact]
    public void RefusesWhatTheAgendaDoesNotAllowWithTheReason()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        ExperimentProposal P(string path, string value, int? seeds = null) => new("h", new Dictionary<string, string> { [path] = value }, seeds);

        var results = study.Propose(
        [
            P("data.path", "/etc/passwd"),
            P("optim.lr", "0.5"),
            P("model.n_layer", "2.5"),
            P("model.activation", "swish"),
            P("optim.lr", "0.001", seeds: 9),
            new ExperimentProposal("", new Dictionary<string, string>()),
            new ExperimentProposal("smaller look", new Dictionary<string, string> { ["optim.lr"] = "0.002" }, Budget: ("tokens", 100)),
            new ExperimentProposal("longer look", new Dictionary<string, string> { ["optim.lr"] = "0.002" }, Budget: ("steps", 400)),
        ], "test");

        Assert.All(results, r => Assert.False(r.Accepted));
        Assert.Contains("'data.path' is not a knob", results[0].Error);
        Assert.Contains("outside [0.0001, 0.1]", results[1].Error);
        Assert.Contains("expected an integer", results[2].Error);
        Assert.Contains("not one of gelu, relu2", results[3].Error);
        Assert.Contains("seeds must be between 1 and 3", results[4].Error);
        Assert.Contains("a hypothesis is required", results[5].Error);
        Assert.Contains("runs are budgeted in steps", results[6].Error);
        Assert.Contains("steps must be in (0, 40]", results[7].Error);
        Assert.Equal(3, store.ListRuns(new RunQuery { StudyId = study.Study.Id }).Count);
    }

    [Fact]
    public void RefusesModelsOverTheParameterLimit()
    {
        _folder.Write("small.md", ResearchFolder.DefaultAgenda.Replace("max_params: 100000", "max_params: 8000"));
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store, "small.md");

        var result = study.Propose([new ExperimentProposal("deeper", new Dictionary<string, string> { ["model.n_layer"] = "3" })], "test").Single();

        Assert.Contains("over the agenda's max_params 8,000", result.Error);
    }

    [Fact]
    public void ARepeatedRecipeAddsOnlyTheSeedsItLacks()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        var changes = new Dictionary<string, string> { ["optim.lr"] = "0.003" };

        var first = study.Propose([new ExperimentProposal("h", changes)], "test").Single();
        var same = study.Propose([new ExperimentProposal("h again", new Dictionary<string, string> { ["optim.lr"] = "3e-3" })], "test").Single();
        var more = study.Propose([new ExperimentProposal("replicate", changes, Seeds: 3)], "test").Single();
        var baseline = study.Propose([new ExperimentProposal("the baseline's own value", new Dictionary<string, string> { ["optim.lr"] = "0.001" })], "test").Single();

        Assert.Equal("e1", first.Label);
        Assert.Equal([1], first.Seeds);
        Assert.Contains("the same recipe as e1", same.Error);
        Assert.Equal("e1", more.Label);
        Assert.Equal([2, 3], more.Seeds);
        Assert.Contains("the same recipe as baseline", baseline.Error);
    }

    [Fact]
    public void NeverProposesPastTheBudgetAndKeepsTheReserve()
    {
        _folder.Write("budget.md", ResearchFolder.DefaultAgenda.Replace("budget: {runs: 30}", "budget: {runs: 8}"));
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store, "budget.md");
        study.ReserveRuns = 2;

        var fits = study.Propose([new ExperimentProposal("h", new Dictionary<string, string> { ["optim.lr"] = "0.003" }, Seeds: 3)], "test").Single();
        var over = study.Propose([new ExperimentProposal("h", new Dictionary<string, string> { ["optim.lr"] = "0.004" })], "test").Single();
        var confirmation = study.Propose([new ExperimentProposal("h", new Dictionary<string, string> { ["optim.lr"] = "0.004" }, Seeds: 2)], "loop", useReserve: true).Single();

        Assert.True(fits.Accepted, fits.Error);
        Assert.True(over.OverBudget);
        Assert.Contains("exceed the budget of 8 runs: 0 left (2 runs are kept back", over.Error);
        Assert.True(confirmation.Accepted, confirmation.Error);
        Assert.Equal(8, study.State().Budget.Runs);
    }

    [Fact]
    public void CountsFlopsFromTheRecipesBeforeTheyRun()
    {
        using var store = _folder.OpenStore();
        var baseline = _folder.OpenStudy(store).BaselineCost;
        _folder.Write("flops.md", ResearchFolder.DefaultAgenda.Replace("name: tiny", "name: flops").Replace("budget: {runs: 30}", $"budget: {{flops: {baseline.Flops * 5}}}"));
        var study = _folder.OpenStudy(store, "flops.md");

        Assert.Equal(3 * baseline.Flops, study.State().Budget.Flops, 6);
        var two = study.Propose([new ExperimentProposal("h", new Dictionary<string, string> { ["optim.lr"] = "0.003" }, Seeds: 2)], "test").Single();
        var three = study.Propose([new ExperimentProposal("h", new Dictionary<string, string> { ["optim.lr"] = "0.004" })], "test").Single();

        Assert.True(two.Accepted, two.Error);
        Assert.True(three.OverBudget, three.Error);
        Assert.Equal(5 * baseline.Flops, study.State().Budget.Flops, 6);
        Assert.Equal(40 * 4 * 8, baseline.Tokens);
    }
}
