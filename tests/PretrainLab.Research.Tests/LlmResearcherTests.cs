using System.Text.Json;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Llm;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

/// <summary>
/// The LLM researcher through the real Anthropic SDK against a scripted Messages API on loopback: rate limits and
/// server errors are retried, malformed tool input and an unknown run id come back to the model as tool errors, and
/// the experiments it proposes exist in the store with its changes applied.
/// </summary>
public sealed class LlmResearcherTests : IDisposable
{
    private const string Key = "sk-ant-test-0123456789abcdef-secret";
    private static readonly RetryPolicy Fast = new(4, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

    private readonly ResearchFolder _folder = new();
    private readonly FakeAnthropicServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _folder.Dispose();
    }

    private (LlmResearcher Researcher, RetryingChatClient Chat) Researcher(ResearchStudy study)
    {
        var chat = new RetryingChatClient(ChatEndpoint.Anthropic("claude-test", 1024, Key, _server.BaseUrl), Fast, log: null);
        return (new LlmResearcher(chat, study.Agenda.Researcher with { Model = "claude-test" }, log: null), chat);
    }

    [Fact]
    public async Task ProposesThroughToolsAndSurvivesErrorsBadInputAndUnknownRuns()
    {
        _server
            .Fail(429, "rate_limit_error", "slow down")
            .Reply(FakeAnthropicServer.Text("Let me look first."), FakeAnthropicServer.ToolUse("toolu_1", "get_study_state", new { }))
            .Fail(500, "api_error", "internal error")
            .Reply(
                FakeAnthropicServer.ToolUse("toolu_2", "propose_experiments", new { experiments = new object[] { new { changes = new Dictionary<string, object> { ["optim.lr"] = "fast", ["data.path"] = "/etc/passwd" } } } }),
                FakeAnthropicServer.ToolUse("toolu_3", "get_run", new { id = 9999 }),
                FakeAnthropicServer.ToolUse("toolu_4", "query_runs", new { sort = "sideways", bogus = 1 }))
            .Reply(FakeAnthropicServer.ToolUse("toolu_5", "propose_experiments", new
            {
                experiments = new object[]
                {
                    new { hypothesis = "a higher learning rate trains faster in 40 steps", changes = new Dictionary<string, object> { ["optim.lr"] = 0.003 }, seeds = 2 },
                    new { hypothesis = "relu2 learns faster than gelu", changes = new Dictionary<string, object> { ["model.activation"] = "relu2" } },
                },
            }))
            .Reply(FakeAnthropicServer.Text("Queued e1 and e2; next I will look at depth."));
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        var (researcher, chat) = Researcher(study);

        var turn = await researcher.ActAsync(study, study.State(), capacity: 3, CancellationToken.None);

        Assert.Equal(3, turn.RunsQueued);
        Assert.False(turn.Done);
        Assert.Equal(2, chat.Retries);
        var requests = _server.Requests;
        Assert.Equal(6, requests.Count);
        Assert.All(requests, r => Assert.Equal(("POST", "/v1/messages"), (r.Method, r.Path)));
        Assert.All(requests, r => Assert.Contains(r.Headers, h => h.Value.Contains(Key)));
        Assert.Equal(6, requests[0].Json.GetProperty("tools").GetArrayLength());
        Assert.Equal("claude-test", requests[0].Json.GetProperty("model").GetString());

        // The errors reached the model as tool results, and the turn went on.
        var results = ToolResults(requests[4]);
        Assert.Contains("hypothesis is required", results["toolu_2"]);
        Assert.Contains("optim.lr: expected a number, got 'fast'", results["toolu_2"]);
        Assert.Contains("'data.path' is not a knob", results["toolu_2"]);
        Assert.Contains("no run with id 9999", results["toolu_3"]);
        Assert.Contains("unknown field 'bogus'", results["toolu_4"]);
        Assert.Contains("sort must be objective, id or -id", results["toolu_4"]);
        Assert.Contains("\"queued\":\"e1\"", ToolResults(requests[5])["toolu_5"]);

        // The runs it asked for exist with its changes applied.
        var runs = store.ListRuns(new RunQuery { StudyId = study.Study.Id, WithRecipes = true }).Where(r => r.Label != ResearchStudy.BaselineLabel).ToList();
        Assert.Equal([("e1", 1L), ("e1", 2L), ("e2", 1L)], runs.Select(r => (r.Label, r.Seed)));
        Assert.All(runs.Where(r => r.Label == "e1"), r => Assert.Equal(0.003, Recipe.FromJson(r.Recipe!).Optim.Lr));
        Assert.Equal(Engine.Model.ActivationKind.Relu2, Recipe.FromJson(runs[2].Recipe!).Model.Activation);

        // Memory: hypotheses, usage and the closing note are journaled; the key is nowhere in the store.
        var journal = study.ReadJournal();
        Assert.Contains(journal, e => e.Kind == ResearchJournal.Hypothesis && e.Text.StartsWith("e1 by llm: a higher learning rate", StringComparison.Ordinal));
        var usage = LlmUsage.FromJournal(journal);
        Assert.Equal(4 * 50, usage.OutputTokens);
        Assert.True(usage.InputTokens > 4000);
        Assert.Contains(journal, e => e.Kind == ResearchJournal.Note && e.Text.Contains("next I will look at depth"));
        store.Dispose();
        foreach (var file in Directory.GetFiles(_folder.Directory, "plab.db*"))
            Assert.DoesNotContain(Key, File.ReadAllText(file));
    }

    [Fact]
    public async Task StopsAtTheCostCapAndReportsAnApiFailureAsTheReason()
    {
        _server.Reply(FakeAnthropicServer.Text("Nothing to do yet."));
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        var chat = new RetryingChatClient(ChatEndpoint.Anthropic("claude-test", 1024, Key, _server.BaseUrl), Fast, null);
        var capped = new LlmResearcher(chat, study.Agenda.Researcher with { MaxCostUsd = 0.001 }, null);

        var first = await capped.ActAsync(study, study.State(), 2, CancellationToken.None);
        var second = await capped.ActAsync(study, study.State(), 2, CancellationToken.None);

        Assert.False(first.Done);
        Assert.True(second.Done);
        Assert.Contains("cost cap", second.Reason);
        Assert.Single(_server.Requests);

        _server.Fail(401, "authentication_error", "invalid x-api-key").Fail(401, "authentication_error", "invalid x-api-key");
        var failing = new LlmResearcher(chat, study.Agenda.Researcher, null);
        var failed = await failing.ActAsync(study, study.State(), 2, CancellationToken.None);
        Assert.True(failed.Done);
        Assert.Contains("HTTP 401", failed.Reason);
        Assert.DoesNotContain(Key, failed.Reason);
        Assert.Equal(2, _server.Requests.Count);
    }

    private static Dictionary<string, string> ToolResults(RecordedRequest request)
    {
        var results = new Dictionary<string, string>();
        foreach (var message in request.Json.GetProperty("messages").EnumerateArray())
        {
            if (message.GetProperty("content").ValueKind != JsonValueKind.Array)
                continue;
            foreach (var block in message.GetProperty("content").EnumerateArray())
            {
                if (block.GetProperty("type").GetString() == "tool_result")
                    results[block.GetProperty("tool_use_id").GetString()!] = block.GetProperty("content").ValueKind == JsonValueKind.String
                        ? block.GetProperty("content").GetString()!
                        : block.GetProperty("content").GetRawText();
            }
        }
        return results;
    }
}
