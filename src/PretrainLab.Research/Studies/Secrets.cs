namespace PretrainLab.Research.Studies;

/// <summary>
/// Keeps credentials out of everything research writes. API keys live only in the process environment and the chat
/// client; as a second fence, every text bound for the store, a log or a report passes through <see cref="Scrub"/>,
/// which blanks any key it knows of, should one ever reach an error message.
/// </summary>
public static class Secrets
{
    /// <summary>The environment variables whose values are credentials.</summary>
    public static readonly IReadOnlyList<string> Variables = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY"];

    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Known = [];

    /// <summary>Adds a credential to blank (one not read from <see cref="Variables"/>, e.g. from a command line).</summary>
    public static void Register(string? secret)
    {
        // Very short values would blank ordinary words; no real key is that short.
        if (secret is { Length: >= 8 })
        {
            lock (Gate)
                Known.Add(secret);
        }
    }

    /// <summary><paramref name="text"/> with every known credential replaced by <c>[redacted]</c>.</summary>
    public static string Scrub(string text)
    {
        foreach (var variable in Variables)
            Register(Environment.GetEnvironmentVariable(variable));
        lock (Gate)
        {
            foreach (var secret in Known)
                text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }
        return text;
    }
}
