using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Tests;

/// <summary><c>plab mcp</c> driven by the MCP SDK's own client over stdio, as Claude Code would: list the tools, start a run, read it.</summary>
public sealed class McpCommandTests : IDisposable
{
    private readonly StudyFolder _folder = new(steps: 40);

    public McpCommandTests() => _folder.Write("agenda.md", """
        ---
        name: mcp-study
        baseline: tiny.yaml
        budget: {runs: 6}
        seeds: {noise: 2, experiment: 1, confirm: 2}
        knobs:
          optim.lr: {type: log_float, min: 3e-4, max: 3e-2}
        ---
        Learning rate only.
        """);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ListsToolsStartsARunAndReadsIt()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "plab",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "plab.dll"), "mcp", "agenda.md", "--slots", "2", "--poll", "0.05", "--heartbeat", "0.1"],
            WorkingDirectory = _folder.Directory,
            EnvironmentVariables = new Dictionary<string, string?> { ["PLAB_STORE"] = null, ["ANTHROPIC_API_KEY"] = null },
        });
        await using var client = await McpClient.CreateAsync(transport);

        var tools = await client.ListToolsAsync();
        Assert.Equal(
            ["compare_runs", "get_run", "get_study_state", "lab_status", "propose_experiments", "query_runs", "record_finding", "start_runs", "stop_run"],
            tools.Select(t => t.Name).Order());
        var propose = tools.Single(t => t.Name == "propose_experiments");
        Assert.Contains("optim.lr", propose.JsonSchema.GetRawText());

        var state = Text(await client.CallToolAsync("get_study_state"));
        Assert.Contains("Learning rate only.", state);

        var refused = await client.CallToolAsync("propose_experiments", new Dictionary<string, object?>
        {
            ["experiments"] = new[] { new { hypothesis = "too hot", changes = new Dictionary<string, object> { ["optim.lr"] = 0.5 } } },
        });
        Assert.Contains("outside [0.0003, 0.03]", Text(refused));

        var proposed = JsonDocument.Parse(Text(await client.CallToolAsync("propose_experiments", new Dictionary<string, object?>
        {
            ["experiments"] = new[] { new { hypothesis = "a higher rate trains faster", changes = new Dictionary<string, object> { ["optim.lr"] = 0.01 } } },
        }))).RootElement;
        var result = proposed.GetProperty("results")[0];
        Assert.Equal("e1", result.GetProperty("queued").GetString());
        var runId = result.GetProperty("run_ids")[0].GetInt64();

        Assert.Contains("\"lab\":\"started\"", Text(await client.CallToolAsync("start_runs")));

        var clock = Stopwatch.StartNew();
        JsonElement run;
        do
        {
            await Task.Delay(200);
            run = JsonDocument.Parse(Text(await client.CallToolAsync("get_run", new Dictionary<string, object?> { ["id"] = runId }))).RootElement;
        }
        while (run.GetProperty("state").GetString() != "finished" && clock.Elapsed < TimeSpan.FromMinutes(2));

        Assert.Equal("finished", run.GetProperty("state").GetString());
        Assert.Equal("a higher rate trains faster", run.GetProperty("hypothesis").GetString());
        Assert.Equal(0.01, run.GetProperty("recipe").GetProperty("optim").GetProperty("lr").GetDouble());
        Assert.True(run.GetProperty("val_bpb").GetDouble() > 0);
        Assert.Equal(4, run.GetProperty("validation_curve").GetArrayLength());

        var unknown = await client.CallToolAsync("get_run", new Dictionary<string, object?> { ["id"] = 424242 });
        Assert.True(unknown.IsError);
        Assert.Contains("no run with id 424242", Text(unknown));

        using var store = _folder.OpenStore();
        Assert.Equal("e1", store.GetRun(runId)!.Label);
        Assert.Contains(store.GetJournal(store.GetRun(runId)!.StudyId), e => e.Kind == "hypothesis" && e.Text.StartsWith("e1 by mcp:", StringComparison.Ordinal));
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
