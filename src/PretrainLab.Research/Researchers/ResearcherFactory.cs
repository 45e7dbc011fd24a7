using PretrainLab.Research.Agendas;
using PretrainLab.Research.Llm;

namespace PretrainLab.Research.Researchers;

/// <summary>Makes the researcher a user names.</summary>
public static class ResearcherFactory
{
    /// <summary>The researchers by name.</summary>
    public static readonly IReadOnlyList<string> Names = ["llm", "tpe", "hillclimb", "random"];

    /// <summary>The default: the LLM when an API key or endpoint is configured, else TPE, which needs no network.</summary>
    public static string DefaultName =>
        ChatEndpoint.HasAnthropicKey || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ChatEndpoint.OpenAiBaseUrlVariable)) ? "llm" : "tpe";

    /// <summary>The researcher called <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="settings">The LLM settings (the agenda's, with the model chosen on the command line).</param>
    /// <param name="seed">Seeds the built-in researchers' draws.</param>
    /// <param name="log">Where the LLM researcher reports retries, or null.</param>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    /// <exception cref="InvalidOperationException">The LLM researcher has no key or endpoint.</exception>
    public static IResearcher Create(string name, LlmSettings settings, int seed, TextWriter? log) => name switch
    {
        "random" => new RandomResearcher(seed),
        "tpe" => new TpeResearcher(seed),
        "hillclimb" => new HillClimbResearcher(seed),
        "llm" => new LlmResearcher(new RetryingChatClient(Chat(settings), RetryPolicy.Default, log), settings, log),
        _ => throw new ArgumentException($"unknown researcher '{name}'; expected {string.Join(", ", Names)}"),
    };

    private static Microsoft.Extensions.AI.IChatClient Chat(LlmSettings settings) =>
        ChatEndpoint.HasAnthropicKey || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ChatEndpoint.OpenAiBaseUrlVariable))
            ? ChatEndpoint.Anthropic(settings.Model, settings.MaxOutputTokens)
            : ChatEndpoint.OpenAiCompatible(settings.Model, settings.MaxOutputTokens);
}
