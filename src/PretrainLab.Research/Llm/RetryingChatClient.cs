using System.ClientModel;
using System.Net;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Llm;

/// <summary>
/// Tries a chat call again when it failed for a reason that passes: a rate limit (429), an overloaded or failing
/// server (5xx, 408, 409), a dropped connection or a timeout. Other failures (a bad key, a malformed request) are
/// thrown at once. Works for any <see cref="IChatClient"/>; the Anthropic and OpenAI clients' own retries are turned
/// off so that this is the one policy.
/// </summary>
/// <param name="inner">The client.</param>
/// <param name="policy">How often and how long to wait.</param>
/// <param name="log">Where each retry is reported (with credentials scrubbed), or null.</param>
public sealed class RetryingChatClient(IChatClient inner, RetryPolicy policy, TextWriter? log) : DelegatingChatClient(inner)
{
    private readonly Random _jitter = new();

    /// <summary>Retries made.</summary>
    public int Retries { get; private set; }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < policy.MaxAttempts && IsTransient(e, cancellationToken))
            {
                Retries++;
                var delay = policy.Delay(attempt, _jitter);
                log?.WriteLine(Secrets.Scrub($"LLM API: {Describe(e)}; trying again in {delay.TotalSeconds:F1} s ({attempt}/{policy.MaxAttempts - 1} retries)"));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether <paramref name="e"/> is worth another try.</summary>
    public static bool IsTransient(Exception e, CancellationToken cancellation) => e switch
    {
        AnthropicApiException api => IsTransient(api.StatusCode),
        AnthropicIOException => true,
        ClientResultException result => result.Status == 0 || IsTransient((HttpStatusCode)result.Status),
        HttpRequestException http => http.StatusCode is not { } code || IsTransient(code),
        TimeoutException => true,
        // A cancellation nobody asked for is the HTTP client's timeout.
        OperationCanceledException => !cancellation.IsCancellationRequested,
        _ => false,
    };

    /// <summary>A one-line account of a failure: its status when it has one, and its message.</summary>
    public static string Describe(Exception e) => e switch
    {
        AnthropicApiException api => $"HTTP {(int)api.StatusCode} {api.StatusCode}: {FirstLine(api.Message)}",
        ClientResultException result => $"HTTP {result.Status}: {FirstLine(result.Message)}",
        _ => $"{e.GetType().Name}: {FirstLine(e.Message)}",
    };

    private static bool IsTransient(HttpStatusCode code) =>
        code is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict || (int)code >= 500;

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
