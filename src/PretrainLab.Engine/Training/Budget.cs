namespace PretrainLab.Engine.Training;

/// <summary>
/// When a run stops: after a number of optimizer steps, training tokens, training FLOPs, or seconds
/// of wall clock. Exactly one is set. Token and FLOP budgets are hardware-independent; they are
/// turned into a step count (rounded up) from the tokens and FLOPs of one step.
/// </summary>
public sealed record Budget(long? Steps = null, long? Tokens = null, double? Flops = null, double? Seconds = null)
{
    /// <summary>True for a wall-clock budget, whose step count is not known in advance.</summary>
    public bool IsTime => Seconds is not null;

    /// <summary>The number of steps this budget allows, or null for a time budget.</summary>
    public long? TotalSteps(long tokensPerStep, double flopsPerToken)
    {
        if (Steps is { } s) return s;
        if (Tokens is { } t) return (t + tokensPerStep - 1) / tokensPerStep;
        if (Flops is { } f) return (long)Math.Ceiling(f / (flopsPerToken * tokensPerStep));
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless exactly one positive budget is set.</summary>
    public void Validate()
    {
        var set = (Steps is null ? 0 : 1) + (Tokens is null ? 0 : 1) + (Flops is null ? 0 : 1) + (Seconds is null ? 0 : 1);
        if (set != 1)
            throw new ArgumentException($"exactly one budget (steps, tokens, flops or seconds) must be set, got {set}");
        if (Steps <= 0 || Tokens <= 0 || Flops <= 0 || Seconds <= 0)
            throw new ArgumentException("the budget must be positive");
    }
}
