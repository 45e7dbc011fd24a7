using System.Text.Json;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Studies;
using PretrainLab.Research.Tests;

namespace PretrainLab.Cli.Tests;

/// <summary><c>plab research</c> end to end: to the budget with a report, after kill -9 from where it stood, and with the LLM researcher without leaking its key.</summary>
public sealed class ResearchCommandTests : IDisposable
{
    private const int Steps = 600;
    private const int EvalInterval = 200;

    private readonly StudyFolder _folder = new(steps: Steps, checkpointInterval: 100, evalInterval: EvalInterval, width: StudyFolder.HeavyWidth);

    public ResearchCommandTests() => _folder.Write("agenda.md", Agenda(runs: 7));

    public void Dispose() => _folder.Dispose();

    private static string Agenda(int runs, int steps = Steps) => $$"""
        ---
        name: research
        baseline: tiny.yaml
        per_run: {steps: {{steps}}}
        budget: {runs: {{runs}}}
        seeds: {noise: 2, experiment: 1, confirm: 2}
        knobs:
          optim.lr: {type: log_float, min: 3e-4, max: 3e-2}
          model.activation: [gelu, relu2]
        test_data: test.txt
        ---
        Learning rate first.
        """;

    [Fact]
    public void ResearchesToTheBudgetAndReports()
    {
        _folder.Write("agenda.md", Agenda(runs: 6, steps: 40));

        var (code, stdout, stderr) = _folder.Plab("research", "agenda.md", "--researcher", "tpe", "--slots", "2", "--poll", "0.05", "--heartbeat", "0.1", "--json");

        Assert.True(code == 0, stderr);
        Assert.Contains("research research: researcher tpe, 2 slots", stderr);
        Assert.Contains("[done]", stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("research", report.GetProperty("study").GetString());
        Assert.Equal(6, report.GetProperty("runs").GetProperty("finished").GetInt32());
        Assert.True(report.GetProperty("baseline_test").GetDouble() > 0);
        Assert.Contains("runs 6/6", report.GetProperty("budget").GetString());
        using var store = _folder.OpenStore();
        var runs = store.ListRuns(new RunQuery());
        Assert.Equal(6, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunState.Finished, r.State));
        Assert.All(runs, r => Assert.NotNull(r.TestBpb));

        // Run again on a finished study: nothing more is trained, the report is the same.
        var (again, markdown, _) = _folder.Plab("research", "agenda.md", "--researcher", "tpe", "--poll", "0.05");
        Assert.Equal(0, again);
        Assert.Contains("# Research `research`", markdown);
        Assert.Equal(6, store.ListRuns(new RunQuery()).Count);
    }

    [Fact]
    public void AKilledResearchContinuesWhereItStoodOnRestart()
    {
        string[] research = ["research", "agenda.md", "--researcher", "random", "--slots", "2", "--heartbeat", "0.05", "--poll", "0.05"];
        using (var lab = PlabProcess.Start(_folder.Directory, research))
        {
            _folder.WaitFor(runs => runs.Any(r => r.Label != "baseline" && r.State == RunState.Running && r.CheckpointStep >= 100), lab, "an experiment mid-way with a checkpoint", seconds: 180);
            lab.Kill(entireProcessTree: true);
            lab.WaitForExit();
        }

        var (code, stdout, stderr) = _folder.Plab(research);

        Assert.True(code == 0, stderr);
        Assert.Contains("orphaned: its worker (pid", stderr);
        Assert.Contains("## Incumbent", stdout);
        using var store = _folder.OpenStore();
        var runs = store.ListRuns(new RunQuery());
        Assert.Equal(7, runs.Count);
        Assert.Equal(runs.Count, runs.Select(r => (r.Label, r.Seed)).Distinct().Count());
        Assert.Contains(runs, r => r.Attempt >= 2);
        foreach (var run in runs)
            _folder.AssertIntact(store, run, Steps, EvalInterval);
        var sessions = store.GetJournal(runs[0].StudyId).Count(e => e.Kind == ResearchJournal.Session);
        Assert.Equal(2, sessions);
    }

    [Fact]
    public async Task TheLlmResearcherUsesTheKeyFromTheEnvironmentAndNeverWritesIt()
    {
        const string key = "sk-ant-api03-cli-test-key-never-to-be-written-0123456789";
        _folder.Write("agenda.md", Agenda(runs: 5, steps: 40));
        using var server = new FakeAnthropicServer();
        server
            .Reply(FakeAnthropicServer.ToolUse("t1", "propose_experiments", new
            {
                experiments = new object[] { new { hypothesis = "a higher rate", changes = new Dictionary<string, object> { ["optim.lr"] = 0.01 } } },
            }))
            .Reply(FakeAnthropicServer.Text("Queued e1."));
        for (var i = 0; i < 6; i++)
            server.Reply(FakeAnthropicServer.Text("Nothing more to try."));
        var environment = new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = key, ["ANTHROPIC_BASE_URL"] = server.BaseUrl };

        using var lab = PlabProcess.Start(_folder.Directory, environment, "research", "agenda.md", "--slots", "2", "--poll", "0.05", "--heartbeat", "0.1", "--model", "claude-test");
        var stdout = lab.StandardOutput.ReadToEndAsync();
        var stderr = lab.StandardError.ReadToEndAsync();
        Assert.True(lab.WaitForExit(TimeSpan.FromMinutes(3)));

        Assert.True(lab.ExitCode == 0, await stderr);
        Assert.Contains("researcher llm", await stderr);
        Assert.Contains(server.Requests, r => r.Headers.Values.Any(v => v.Contains(key)));
        Assert.Equal("claude-test", server.Requests[0].Json.GetProperty("model").GetString());
        using (var store = _folder.OpenStore())
        {
            var runs = store.ListRuns(new RunQuery { WithRecipes = true });
            Assert.Contains(runs, r => r.Label == "e1" && r.Knobs["optim.lr"] == "0.01");
        }
        Assert.DoesNotContain(key, await stdout);
        Assert.DoesNotContain(key, await stderr);
        foreach (var file in Directory.EnumerateFiles(_folder.Directory, "*", SearchOption.AllDirectories))
            Assert.False(File.ReadAllText(file).Contains(key, StringComparison.Ordinal), $"{file} holds the key");
    }
}
