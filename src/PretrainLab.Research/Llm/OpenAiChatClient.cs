using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;

namespace PretrainLab.Research.Llm;

/// <summary>
/// An OpenAI-compatible chat endpoint (OpenAI itself, or a local model server such as llama.cpp's or vLLM's) as an
/// <see cref="IChatClient"/>, through the OpenAI package: system, user, assistant and tool messages, function tools
/// with their JSON schemas, tool calls and token usage. Its own retries are off (<see cref="RetryingChatClient"/> is
/// the one policy).
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly int _maxOutputTokens;

    /// <summary>A client for <paramref name="model"/> at <paramref name="endpoint"/>.</summary>
    /// <param name="model">The model name the server knows.</param>
    /// <param name="endpoint">The API base, e.g. <c>http://127.0.0.1:8080/v1</c>.</param>
    /// <param name="key">The API key; local servers accept any.</param>
    /// <param name="maxOutputTokens">The most tokens one reply may have.</param>
    /// <param name="timeout">How long one call may take.</param>
    public OpenAiChatClient(string model, Uri endpoint, string key, int maxOutputTokens, TimeSpan timeout)
    {
        var options = new OpenAIClientOptions { Endpoint = endpoint, RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = timeout };
        _client = new ChatClient(model, new ApiKeyCredential(key), options);
        _maxOutputTokens = maxOutputTokens;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new ChatCompletionOptions { MaxOutputTokenCount = options?.MaxOutputTokens ?? _maxOutputTokens };
        foreach (var tool in options?.Tools?.OfType<AIFunctionDeclaration>() ?? [])
            request.Tools.Add(ChatTool.CreateFunctionTool(tool.Name, tool.Description, BinaryData.FromString(tool.JsonSchema.GetRawText())));
        ChatCompletion completion = await _client.CompleteChatAsync(messages.SelectMany(Convert), request, cancellationToken).ConfigureAwait(false);

        var contents = new List<AIContent>();
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length > 0)
            contents.Add(new TextContent(text));
        foreach (var call in completion.ToolCalls)
            contents.Add(ToFunctionCall(call));
        return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, contents))
        {
            ModelId = completion.Model,
            FinishReason = completion.ToolCalls.Count > 0 ? Microsoft.Extensions.AI.ChatFinishReason.ToolCalls : Microsoft.Extensions.AI.ChatFinishReason.Stop,
            Usage = completion.Usage is { } usage ? new UsageDetails { InputTokenCount = usage.InputTokenCount, OutputTokenCount = usage.OutputTokenCount } : null,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The researcher never streams; a whole reply as updates keeps the interface honest.
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
            yield return update;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static FunctionCallContent ToFunctionCall(ChatToolCall call)
    {
        try
        {
            var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(call.FunctionArguments.ToString());
            return new FunctionCallContent(call.Id, call.FunctionName, arguments);
        }
        catch (JsonException e)
        {
            return new FunctionCallContent(call.Id, call.FunctionName) { Exception = e };
        }
    }

    private static IEnumerable<OpenAiChatMessage> Convert(AiChatMessage message)
    {
        var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (message.Role == AiChatRole.System)
            yield return new SystemChatMessage(text);
        else if (message.Role == AiChatRole.User)
            yield return new UserChatMessage(text);
        else if (message.Role == AiChatRole.Assistant)
        {
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => ChatToolCall.CreateFunctionToolCall(c.CallId, c.Name, BinaryData.FromString(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()))))
                .ToList();
            yield return calls.Count > 0 ? new AssistantChatMessage(calls) : new AssistantChatMessage(text);
        }
        else
        {
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
                yield return new ToolChatMessage(result.CallId, result.Result?.ToString() ?? "");
        }
    }
}
