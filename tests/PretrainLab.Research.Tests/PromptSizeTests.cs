using System.Text.Json;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;
using PretrainLab.Research.Llm;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

/// <summary>
/// Memory that scales: with 2,000 finished runs and their journal in the store, every request of a busy turn (state,
/// listings, a run, a comparison, a finding, proposals) stays under a fixed bound, because the model sees the journal's
/// latest entries and paged, capped tool results instead of a growing transcript.
/// </summary>
public sealed class PromptSizeTests : IDisposable
{
    /// <summary>
    /// The bound, in tokens estimated at 4 characters of request body per token: the turn's message budget
    /// (<see cref="LlmResearcher.MaxPromptCharacters"/>), plus the fixed tool schemas and JSON framing.
    /// </summary>
    private const int TokenBound = LlmResearcher.MaxPromptCharacters / 4 + 2_500;

    private readonly ResearchFolder _folder = new(ResearchFolder.DefaultAgenda.Replace("budget: {runs: 30}", "budget: {runs: 5000}"));
    private readonly FakeAnthropicServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task EveryRequestStaysUnderTheBoundWithTwoThousandRuns()
    {
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        Fill(study, variants: 1000, seeds: 2);
        Assert.Equal(2003, store.ListRuns(new RunQuery { StudyId = study.Study.Id }).Count);
        Assert.True(study.ReadJournal().Count > 2000);

        var someRun = store.ListRuns(new RunQuery { StudyId = study.Study.Id, Label = "e500" })[0].Id;
        _server
            .Reply(FakeAnthropicServer.ToolUse("t1", "get_study_state", new { }))
            .Reply(FakeAnthropicServer.ToolUse("t2", "query_runs", new { group_by_variant = true, limit = 50 }), FakeAnthropicServer.ToolUse("t3", "query_runs", new { limit = 50, sort = "-id" }))
            .Reply(FakeAnthropicServer.ToolUse("t4", "get_run", new { id = someRun }), FakeAnthropicServer.ToolUse("t5", "compare_runs", new { a = "baseline", b = "e500" }))
            .Reply(FakeAnthropicServer.ToolUse("t6", "query_runs", new { where = new Dictionary<string, object> { ["model.n_layer"] = 2 }, limit = 50, offset = 50 }))
            .Reply(FakeAnthropicServer.ToolUse("t7", "record_finding", new { statement = "depth 2 is no better than depth 1 here", variant = "e500" }))
            .Reply(FakeAnthropicServer.ToolUse("t8", "propose_experiments", new { experiments = new object[] { new { hypothesis = "between the two best rates", changes = new Dictionary<string, object> { ["optim.lr"] = 0.00777 } } } }))
            .Reply(FakeAnthropicServer.ToolUse("t9", "get_study_state", new { }))
            .Reply(FakeAnthropicServer.Text("done"));
        var chat = new RetryingChatClient(ChatEndpoint.Anthropic("claude-test", 1024, "sk-test-key-000000", _server.BaseUrl), RetryPolicy.Default, null);
        var researcher = new LlmResearcher(chat, study.Agenda.Researcher, null);

        var turn = await researcher.ActAsync(study, study.State(), 2, CancellationToken.None);

        Assert.Equal(1, turn.RunsQueued);
        var sizes = _server.Requests.Select(r => r.Body.Length / 4).ToList();
        Assert.Equal(8, sizes.Count);
        Assert.All(sizes, tokens => Assert.True(tokens < TokenBound, $"a request of ~{tokens} tokens; sizes {string.Join(", ", sizes)}"));
        Assert.All(researcher.LastTurnRequests, r => Assert.True(r.Count <= 2 + 2 * study.Agenda.Researcher.MaxToolRounds));
        Console.WriteLine($"request sizes with 2,003 runs (estimated tokens): {string.Join(", ", sizes)}");
    }

    /// <summary>Adds finished experiments to the study as a long research session would have: runs, hypotheses and outcomes.</summary>
    private static void Fill(ResearchStudy study, int variants, int seeds)
    {
        var json = study.Baseline.ToJson();
        var runs = new List<NewRun>();
        for (var i = 0; i < variants; i++)
        {
            var lr = study.Agenda.Knobs[0].FromUnit(i / (double)variants);
            var recipe = RecipeLoader.Parse(json, null, [$"optim.lr={lr}", $"model.n_layer={i % 3 + 1}", $"model.activation={(i % 2 == 0 ? "gelu" : "relu2")}"]);
            var label = $"e{i + 1}";
            var knobs = RecipeDifference.Between(study.Baseline, recipe);
            runs.AddRange(study.SeedsFor(seeds).Select(s => new NewRun(label, recipe with { Seed = s }, knobs, Path.Combine(study.Study.RunsDirectory, $"{label}-s{s}"))));
        }
        var added = study.Store.AddRuns(study.Study.Id, runs);
        foreach (var group in added.GroupBy(r => r.Label))
        {
            var knobs = group.First().Knobs;
            study.Journal(ResearchJournal.Hypothesis, group.First().Id,
                ResearchJournal.FormatHypothesis(group.Key, "llm", $"trying {string.Join(", ", knobs.Select(k => $"{k.Key}={k.Value}"))} because the neighbouring results suggest a gain of a few hundredths of a bit per byte", knobs, [1, 2]));
        }
        SyntheticLab.FinishQueued(study, r => SyntheticLab.Landscape(r));
        foreach (var variant in study.State().Variants)
            study.Journal(ResearchJournal.Outcome, variant.FirstRunId, $"{ResearchJournal.OutcomeKey(variant.Label, variant.Seeds.Count)}: {EffectText.Describe(variant, study.Objective)}");
    }
}
