using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Studies;
using PretrainLab.Research.Tools;

namespace PretrainLab.Cli.Mcp;

/// <summary>
/// A research study served over MCP on stdio, so that Claude Code (or any MCP client) can be its researcher: the same
/// study tools the LLM researcher has, with the agenda's guidance in the state, plus starting the lab, stopping runs and
/// the lab's status. The fences are the same: only the agenda's knobs and budget, no code, no files.
/// </summary>
internal sealed class StudyMcpServer
{
    private readonly ResearchStudy _study;
    private readonly BackgroundLab _lab;
    private readonly StudyTools _tools;

    public StudyMcpServer(ResearchStudy study, BackgroundLab lab)
    {
        _study = study;
        _lab = lab;
        _tools = new StudyTools(study, "mcp", withGuidance: true);
        _tools.Add("start_runs",
            "Starts the lab: it trains the queued runs in worker processes, in the background, until none is left. Call it after propose_experiments; it is a no-op while the lab runs.",
            """{"type":"object","properties":{},"additionalProperties":false}""",
            StartRuns);
        _tools.Add("stop_run",
            "Stops a run: a queued one never starts, a running one stops at its next heartbeat. Either ends as pruned, with what it measured so far.",
            """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":false}""",
            StopRun);
        _tools.Add("lab_status",
            "Whether the lab is running, and the runs in flight with their progress.",
            """{"type":"object","properties":{},"additionalProperties":false}""",
            LabStatus);
    }

    /// <summary>Serves until the client closes stdin or <paramref name="cancellation"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "plab", Version = typeof(StudyMcpServer).Assembly.GetName().Version?.ToString() ?? "0" },
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
            ServerInstructions = $"PretrainLab study '{_study.Study.Name}'. Call get_study_state first; propose_experiments queues runs, start_runs trains them, get_run and query_runs read them.",
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = (_, _) => ValueTask.FromResult(new ListToolsResult
                {
                    Tools = _tools.Definitions.Select(t => new Tool { Name = t.Name, Description = t.Description, InputSchema = t.InputSchema }).ToList(),
                }),
                CallToolHandler = (request, _) =>
                {
                    var call = request.Params!;
                    var input = JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, JsonElement>());
                    var result = _tools.Invoke(call.Name, input);
                    return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = result.Text }], IsError = result.IsError });
                },
            },
        };
        await using var transport = new StdioServerTransport("plab");
        await using var server = McpServer.Create(transport, options);
        await server.RunAsync(cancellation);
    }

    private string StartRuns(JsonElement input)
    {
        RequireNoInput(input);
        var queued = _study.Store.ListRuns(new RunQuery { StudyId = _study.Study.Id, States = [RunState.Queued] }).Count;
        var started = _lab.Start();
        return JsonSerializer.Serialize(new { lab = started ? "started" : "already running", slots = _lab.Slots, queued });
    }

    private string StopRun(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id)
            || input.EnumerateObject().Count() != 1)
            throw new ToolInputException("give {\"id\": run id} and nothing else");
        var run = _study.Store.GetRun(id);
        if (run is null || run.StudyId != _study.Study.Id)
            throw new ToolInputException($"no run with id {id} in this study");
        const string reason = "stopped by the researcher";
        var stopped = run.State switch
        {
            RunState.Queued or RunState.Paused => _study.Store.Prune(id, reason),
            RunState.Starting or RunState.Running => _study.Store.RequestStop(id, RunWorker.PruneRequest),
            _ => throw new ToolInputException($"run {id} has already ended ({run.State.ToName()})"),
        };
        if (stopped)
            _study.Journal("event", id, $"run {id} ({run.Label}, seed {run.Seed}) {reason}");
        return JsonSerializer.Serialize(new { id, stopping = stopped, was = run.State.ToName() });
    }

    private string LabStatus(JsonElement input)
    {
        RequireNoInput(input);
        var now = DateTimeOffset.UtcNow;
        var runs = _study.Store.ListRuns(new RunQuery { StudyId = _study.Study.Id });
        return new JsonObject
        {
            ["lab"] = _lab.IsRunning ? "running" : "idle",
            ["slots"] = _lab.Slots,
            ["queued"] = runs.Count(r => r.State == RunState.Queued),
            ["in_flight"] = new JsonArray(runs.Where(r => r.State.IsActive()).Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id,
                ["label"] = r.Label,
                ["seed"] = r.Seed,
                ["state"] = r.State.ToName(),
                ["step"] = r.Step,
                ["total_steps"] = r.TotalSteps,
                ["heartbeat_seconds_ago"] = r.HeartbeatAt is { } h ? Math.Round((now - h).TotalSeconds, 1) : null,
            }).ToArray()),
            ["ended"] = runs.Count(r => r.State.IsFinal()),
        }.ToJsonString();
    }

    private static void RequireNoInput(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.Object && input.EnumerateObject().Any())
            throw new ToolInputException(string.Create(CultureInfo.InvariantCulture, $"this tool takes no input; got {input.EnumerateObject().Count()} fields"));
    }
}
