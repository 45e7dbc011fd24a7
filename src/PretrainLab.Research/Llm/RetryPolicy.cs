namespace PretrainLab.Research.Llm;

/// <summary>How often and how patiently a failed API call is tried again: exponential backoff with jitter, capped.</summary>
/// <param name="MaxAttempts">Tries in all, the first included.</param>
/// <param name="FirstDelay">The wait after the first failure; it doubles after each further one.</param>
/// <param name="MaxDelay">The longest single wait.</param>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>Six tries over about a minute: rides out rate limits and brief outages.</summary>
    public static RetryPolicy Default { get; } = new(6, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    /// <summary>The wait before try <paramref name="attempt"/> + 1 (attempt counts from 1), with up to 25 % jitter.</summary>
    public TimeSpan Delay(int attempt, Random random)
    {
        var seconds = Math.Min(MaxDelay.TotalSeconds, FirstDelay.TotalSeconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromSeconds(seconds * (1 + 0.25 * random.NextDouble()));
    }
}
