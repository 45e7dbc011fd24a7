using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Researchers;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

public sealed class ResearcherTests : IDisposable
{
    private readonly ResearchFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> BuiltIns => ["random", "tpe", "hillclimb"];

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void BuiltInResearchersStayInsideTheBudgetAndTheBounds(string name)
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        study.ReserveRuns = 2;
        var researcher = ResearcherFactory.Create(name, study.Agenda.Researcher, seed: 7, log: null);

        SyntheticLab.Research(study, researcher, slots: 2);

        var runs = store.ListRuns(new RunQuery { StudyId = study.Study.Id, WithRecipes = true });
        Assert.InRange(runs.Count, 20, 28);
        foreach (var run in runs.Where(r => r.Label != ResearchStudy.BaselineLabel))
        {
            var recipe = Recipe.FromJson(run.Recipe!);
            Assert.InRange(recipe.Optim.Lr, 1e-4, 1e-1);
            Assert.InRange(recipe.Model.NLayer, 1, 3);
            Assert.InRange(recipe.Optim.WeightDecay, 0, 0.2);
            Assert.All(run.Knobs.Keys, k => Assert.NotNull(study.Agenda.FindKnob(k)));
        }
    }

    [Fact]
    public void TpeFindsBetterRecipesThanRandomSearchOnTheSameBudget()
    {
        double Best(string name, int seed)
        {
            using var folder = new ResearchFolder();
            using var store = folder.OpenStore();
            var study = folder.OpenStudy(store);
            SyntheticLab.Research(study, ResearcherFactory.Create(name, study.Agenda.Researcher, seed, null), slots: 2);
            return study.State().Variants.Min(v => v.Mean ?? double.MaxValue);
        }

        var seeds = Enumerable.Range(1, 6).ToList();
        var tpe = seeds.Select(s => Best("tpe", s)).Average();
        var random = seeds.Select(s => Best("random", s)).Average();

        Assert.True(tpe < random, $"tpe {tpe:F4} vs random {random:F4}");
    }

    [Fact]
    public void HillClimbKeepsOnlyChangesThatClearTheNoiseFloor()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);

        SyntheticLab.Research(study, new HillClimbResearcher(3), slots: 2);

        var decisions = study.ReadJournal().Where(e => e.Kind == ResearchJournal.Decision).Select(e => e.Text).ToList();
        Assert.NotEmpty(decisions);
        Assert.All(decisions.Where(d => d.StartsWith("kept", StringComparison.Ordinal)), d => Assert.EndsWith("better against " + d.Split("against ")[1], d));
        Assert.Contains(decisions, d => d.StartsWith("kept", StringComparison.Ordinal));
        Assert.All(decisions.Where(d => d.StartsWith("discarded", StringComparison.Ordinal)), d => Assert.DoesNotContain(" better ", d));
        var findings = study.ReadJournal().Where(e => e.Kind == ResearchJournal.Finding).ToList();
        Assert.Equal(decisions.Count(d => d.StartsWith("kept", StringComparison.Ordinal)), findings.Count);
    }

    [Fact]
    public void HillClimbKeepsNothingWhenTheNoiseDrownsTheEffects()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);

        SyntheticLab.Research(study, new HillClimbResearcher(3), slots: 2, r => SyntheticLab.Landscape(r, noise: 1.0));

        var decisions = study.ReadJournal().Where(e => e.Kind == ResearchJournal.Decision).Select(e => e.Text).ToList();
        Assert.NotEmpty(decisions);
        Assert.DoesNotContain(decisions, d => d.StartsWith("kept", StringComparison.Ordinal));
        Assert.Equal(ResearchStudy.BaselineLabel, study.State().Incumbent.Label);
    }

    [Fact]
    public void DivergedRunsCountAsTheWorstResults()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        SyntheticLab.Research(study, new TpeResearcher(5), slots: 2, r => r.Optim.Lr > 0.03 ? double.NaN : SyntheticLab.Landscape(r));

        var state = study.State();
        var lost = state.Variants.Where(v => v.Lost > 0).ToList();
        var observations = TpeResearcher.Observations(new KnobSpace(study), state);
        var worst = observations.Max(o => o.Score);
        Assert.All(lost, v => Assert.Contains(observations, o => o.Score == worst && o.Values["optim.lr"] == new KnobSpace(study).ValuesOf(v)["optim.lr"]));
        Assert.Equal(EffectEstimator.TooFewSeeds, state.Variants[1].VersusBaseline!.Verdict);
    }
}
