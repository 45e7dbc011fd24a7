using Anthropic;
using Microsoft.Extensions.AI;

namespace PretrainLab.Research.Llm;

/// <summary>
/// Where the LLM researcher's model lives and how to reach it. Keys come only from the environment
/// (<c>ANTHROPIC_API_KEY</c>, <c>OPENAI_API_KEY</c>) and go only into the client's request headers: never onto a
/// command line, into the store, a log or a report.
/// </summary>
public static class ChatEndpoint
{
    /// <summary>The Anthropic API key's variable.</summary>
    public const string AnthropicKeyVariable = "ANTHROPIC_API_KEY";

    /// <summary>The variable that points the Anthropic client elsewhere (a proxy, a test server).</summary>
    public const string AnthropicBaseUrlVariable = "ANTHROPIC_BASE_URL";

    /// <summary>The OpenAI-compatible endpoint's key variable (optional for local servers).</summary>
    public const string OpenAiKeyVariable = "OPENAI_API_KEY";

    /// <summary>The OpenAI-compatible endpoint's address variable, e.g. <c>http://127.0.0.1:8080/v1</c> for a local model.</summary>
    public const string OpenAiBaseUrlVariable = "OPENAI_BASE_URL";

    /// <summary>How long one API call may take before it counts as a timeout (and is tried again).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Whether an Anthropic key is set, which makes the LLM researcher the default.</summary>
    public static bool HasAnthropicKey => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AnthropicKeyVariable));

    /// <summary>
    /// The official Anthropic SDK as an <see cref="IChatClient"/> for <paramref name="model"/>, with the key from
    /// <c>ANTHROPIC_API_KEY</c> and the endpoint from <c>ANTHROPIC_BASE_URL</c> when set.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>ANTHROPIC_API_KEY</c> is not set.</exception>
    public static IChatClient Anthropic(string model, int maxOutputTokens)
    {
        var key = Environment.GetEnvironmentVariable(AnthropicKeyVariable);
        if (string.IsNullOrEmpty(key))
            throw new InvalidOperationException($"the llm researcher needs {AnthropicKeyVariable} (or an OpenAI-compatible endpoint in {OpenAiBaseUrlVariable}); without one, use --researcher tpe, hillclimb or random");
        return Anthropic(model, maxOutputTokens, key, Environment.GetEnvironmentVariable(AnthropicBaseUrlVariable));
    }

    /// <summary>
    /// The official Anthropic SDK as an <see cref="IChatClient"/> for <paramref name="model"/> with
    /// <paramref name="key"/>, at <paramref name="baseUrl"/> (null or empty for Anthropic's API). The SDK's own retries
    /// are off: <see cref="RetryingChatClient"/> is the one policy.
    /// </summary>
    public static IChatClient Anthropic(string model, int maxOutputTokens, string key, string? baseUrl)
    {
        Studies.Secrets.Register(key);
        var client = string.IsNullOrEmpty(baseUrl)
            ? new AnthropicClient { ApiKey = key, MaxRetries = 0, Timeout = RequestTimeout }
            : new AnthropicClient { ApiKey = key, BaseUrl = baseUrl, MaxRetries = 0, Timeout = RequestTimeout };
        return client.AsIChatClient(model, maxOutputTokens);
    }

    /// <summary>
    /// An OpenAI-compatible endpoint (<c>OPENAI_BASE_URL</c>, key from <c>OPENAI_API_KEY</c> when the server wants one)
    /// as an <see cref="IChatClient"/> for <paramref name="model"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>OPENAI_BASE_URL</c> is not set or not an absolute URL.</exception>
    public static IChatClient OpenAiCompatible(string model, int maxOutputTokens)
    {
        var url = Environment.GetEnvironmentVariable(OpenAiBaseUrlVariable);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint))
            throw new InvalidOperationException($"{OpenAiBaseUrlVariable} must be the endpoint's absolute URL, e.g. http://127.0.0.1:8080/v1");
        var key = Environment.GetEnvironmentVariable(OpenAiKeyVariable);
        Studies.Secrets.Register(key);
        return new OpenAiChatClient(model, endpoint, string.IsNullOrEmpty(key) ? "local" : key, maxOutputTokens, RequestTimeout);
    }
}
