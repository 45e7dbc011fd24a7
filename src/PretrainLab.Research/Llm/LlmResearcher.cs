using System.Text.Json;
using Microsoft.Extensions.AI;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Researchers;
using PretrainLab.Research.Studies;
using PretrainLab.Research.Tools;

namespace PretrainLab.Research.Llm;

/// <summary>
/// A language model as the researcher, through any <see cref="IChatClient"/> (the Anthropic SDK's, or an
/// OpenAI-compatible endpoint's). Each turn is a fresh, bounded conversation: the agenda and rules, then the study's
/// state, then as many rounds of tool calls as the settings allow. The model acts only through the study's tools;
/// a malformed or refused call comes back to it as the tool's result and the turn goes on. Tokens and cost are
/// journaled per turn, and the turn is not started once the agenda's cap on either is reached.
/// </summary>
public sealed class LlmResearcher : IResearcher
{
    /// <summary>
    /// The most characters of messages a turn may build up (about 12,000 tokens): tool results are cut to fit what is
    /// left, and the turn ends before a request would pass it. With the system prompt and tool schemas, which are
    /// fixed, this bounds every request whatever the study's size or the model's appetite for tools.
    /// </summary>
    public const int MaxPromptCharacters = 48_000;

    private const int MinResultCharacters = 400;

    private readonly IChatClient _chat;
    private readonly LlmSettings _settings;
    private readonly TextWriter? _log;
    private int _turn;

    /// <summary>A researcher speaking through <paramref name="chat"/>, which should retry transient failures (<see cref="RetryingChatClient"/>).</summary>
    public LlmResearcher(IChatClient chat, LlmSettings settings, TextWriter? log)
    {
        _chat = chat;
        _settings = settings;
        _log = log;
    }

    /// <inheritdoc/>
    public string Name => "llm";

    /// <summary>The requests of the last turn, as sent: what the prompt-size bound is about.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> LastTurnRequests { get; private set; } = [];

    /// <inheritdoc/>
    public async Task<ResearchTurn> ActAsync(ResearchStudy study, ResearchState state, int capacity, CancellationToken cancellation)
    {
        var spent = LlmUsage.FromJournal(study.ReadJournal());
        if (OverCap(spent) is { } cap)
            return new ResearchTurn(0, Done: true, cap);
        _turn++;
        var tools = new StudyTools(study, Name, withGuidance: false);
        var options = new ChatOptions
        {
            ModelId = _settings.Model,
            MaxOutputTokens = _settings.MaxOutputTokens,
            ToolMode = ChatToolMode.Auto,
            Tools = tools.Definitions.Select(t => (AITool)AIFunctionFactory.CreateDeclaration(t.Name, t.Description, t.InputSchema)).ToList(),
        };
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, ResearchPrompt.System(study)),
            new(ChatRole.User, ResearchPrompt.Turn(_turn, capacity, tools.StateText())),
        };
        var requests = new List<IReadOnlyList<ChatMessage>>();
        var used = LlmUsage.None;
        string? note = null, stop = null;
        try
        {
            for (var round = 0; round < _settings.MaxToolRounds; round++)
            {
                if (OverCap(spent + used) is { } over)
                {
                    stop = over;
                    break;
                }
                requests.Add(messages.ToList());
                var response = await _chat.GetResponseAsync(messages, options, cancellation).ConfigureAwait(false);
                used += Usage(response.Usage);
                messages.AddRange(response.Messages);
                var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
                note = response.Text is { Length: > 0 } said ? said : note;
                if (calls.Count == 0)
                    break;
                var room = MaxPromptCharacters - Size(messages);
                if (room < calls.Count * MinResultCharacters)
                    break;
                var share = room / calls.Count;
                var results = calls.Select(call => (AIContent)new FunctionResultContent(call.CallId, Fit(Call(tools, call).Text, share))).ToList();
                messages.Add(new ChatMessage(ChatRole.Tool, results));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            stop = $"the LLM API failed: {RetryingChatClient.Describe(e)}";
            _log?.WriteLine(Secrets.Scrub(stop));
        }
        finally
        {
            LastTurnRequests = requests;
            if (used.TotalTokens > 0)
                study.Journal(ResearchJournal.Usage, null, ResearchJournal.FormatUsage(_settings.Model, used.InputTokens, used.OutputTokens, used.CostUsd));
        }
        if (note is not null)
            study.Journal(ResearchJournal.Note, null, $"llm turn {_turn}: {ResearchJournal.Clip(note)}");
        return new ResearchTurn(tools.RunsQueued, Done: stop is not null && tools.RunsQueued == 0, stop);
    }

    private static int Size(IEnumerable<ChatMessage> messages) => messages.SelectMany(m => m.Contents).Sum(c => c switch
    {
        TextContent t => t.Text.Length,
        FunctionCallContent f => f.Name.Length + JsonSerializer.Serialize(f.Arguments).Length,
        FunctionResultContent r => r.Result?.ToString()?.Length ?? 0,
        _ => 0,
    });

    private static string Fit(string text, int room) =>
        text.Length <= room ? text : text[..(room - 80)] + "\n(cut: this turn's context is nearly full; end the turn or ask for less)";

    private static ToolResult Call(StudyTools tools, FunctionCallContent call)
    {
        if (call.Exception is { } e)
            return new ToolResult(JsonSerializer.Serialize(new { error = $"the input could not be read as JSON: {e.Message}" }), IsError: true);
        var input = JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>());
        return tools.Invoke(call.Name, input);
    }

    private LlmUsage Usage(UsageDetails? usage)
    {
        long input = usage?.InputTokenCount ?? 0, output = usage?.OutputTokenCount ?? 0;
        return new LlmUsage(input, output, (input * _settings.InputUsdPerMillion + output * _settings.OutputUsdPerMillion) / 1e6);
    }

    private string? OverCap(LlmUsage usage) =>
        _settings.MaxTokens is { } t && usage.TotalTokens >= t ? $"the researcher's token cap is reached ({usage.TotalTokens:N0} of {t:N0})"
        : _settings.MaxCostUsd is { } c && usage.CostUsd >= c ? $"the researcher's cost cap is reached (${usage.CostUsd:F2} of ${c:F2})"
        : null;
}
