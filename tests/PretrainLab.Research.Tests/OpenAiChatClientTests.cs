using System.Text.Json;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Llm;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

/// <summary>The LLM researcher through an OpenAI-compatible endpoint (a local model server), scripted on loopback.</summary>
public sealed class OpenAiChatClientTests : IDisposable
{
    private readonly ResearchFolder _folder = new();
    private readonly FakeAnthropicServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _folder.Dispose();
    }

    private static (int, string) Completion(object message, string finish) => (200, JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        created = 1_700_000_000,
        model = "local-model",
        choices = new[] { new { index = 0, message, finish_reason = finish } },
        usage = new { prompt_tokens = 900, completion_tokens = 40, total_tokens = 940 },
    }));

    [Fact]
    public async Task ProposesThroughAnOpenAiCompatibleEndpoint()
    {
        var arguments = JsonSerializer.Serialize(new { experiments = new[] { new { hypothesis = "relu2 for short runs", changes = new { model_activation = "relu2" } } } })
            .Replace("model_activation", "model.activation");
        _server
            .Fail(503, "overloaded", "try later")
            .Then(_ => Completion(new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "propose_experiments", arguments } } } }, "tool_calls"))
            .Then(_ => Completion(new { role = "assistant", content = "Queued e1." }, "stop"));
        using var store = _folder.OpenStore();
        var study = _folder.OpenStudy(store);
        var chat = new RetryingChatClient(new OpenAiChatClient("local-model", new Uri(_server.BaseUrl + "/v1"), "local", 512, TimeSpan.FromSeconds(30)),
            new RetryPolicy(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20)), null);
        var researcher = new LlmResearcher(chat, study.Agenda.Researcher with { Model = "local-model" }, null);

        var turn = await researcher.ActAsync(study, study.State(), 1, CancellationToken.None);

        Assert.Equal(1, turn.RunsQueued);
        Assert.Equal(1, chat.Retries);
        var requests = _server.Requests;
        Assert.All(requests, r => Assert.Equal("/v1/chat/completions", r.Path));
        Assert.Equal(6, requests[1].Json.GetProperty("tools").GetArrayLength());
        var last = requests[2].Json.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal(("tool", "call_1"), (last.GetProperty("role").GetString(), last.GetProperty("tool_call_id").GetString()));
        Assert.Contains("\"queued\":\"e1\"", last.GetProperty("content").GetString());
        var run = store.ListRuns(new RunQuery { StudyId = study.Study.Id, Label = "e1" }).Single();
        Assert.Equal("relu2", run.Knobs["model.activation"]);
        var usage = LlmUsage.FromJournal(study.ReadJournal());
        Assert.Equal((1800L, 80L), (usage.InputTokens, usage.OutputTokens));
        Assert.Equal((1800 * 3 + 80 * 15) / 1e6, usage.CostUsd, 6);
    }
}
