using System.Globalization;
using PretrainLab.Research.Agendas;

namespace PretrainLab.Research.Studies;

/// <summary>What a study has spent against its budget: ended runs at their recorded cost, the rest at their planned cost.</summary>
/// <param name="Limit">The agenda's budget.</param>
/// <param name="Flops">Training FLOPs spent or committed.</param>
/// <param name="Tokens">Training tokens spent or committed.</param>
/// <param name="Runs">Runs added to the study.</param>
/// <param name="Hours">Hours of research sessions so far.</param>
public sealed record BudgetStatus(ResearchBudget Limit, double Flops, double Tokens, int Runs, double Hours)
{
    /// <summary>The largest share of any limit spent, 0 to 1 (or more once a session ran past its hours).</summary>
    public double Fraction => new[]
    {
        Share(Flops, Limit.Flops), Share(Tokens, Limit.Tokens), Share(Runs, Limit.Runs), Share(Hours, Limit.Hours),
    }.Max();

    /// <summary>Whether the hours are spent: no run may start after that.</summary>
    public bool OutOfTime => Limit.Hours is { } h && Hours >= h;

    /// <summary>
    /// Whether <paramref name="runs"/> more runs of <paramref name="cost"/> fit while keeping
    /// <paramref name="reserve"/> runs of <paramref name="reserveCost"/> back; null when they fit, else which limit
    /// they would cross.
    /// </summary>
    public string? Refusal(int runs, RunCost cost, int reserve, RunCost reserveCost)
    {
        if (OutOfTime)
            return $"the study's {Format(Limit.Hours!.Value)} hours are spent";
        var flops = Flops + runs * cost.Flops + reserve * reserveCost.Flops;
        var tokens = Tokens + runs * cost.Tokens + reserve * reserveCost.Tokens;
        var kept = reserve > 0 ? $" ({reserve} runs are kept back to confirm the incumbent)" : "";
        if (Limit.Runs is { } r && Runs + runs + reserve > r)
            return $"{runs} more runs exceed the budget of {r} runs: {Math.Max(0, r - Runs - reserve)} left{kept}";
        if (Limit.Flops is { } f && flops > f * (1 + 1e-9))
            return $"{runs} more runs of {Format(cost.Flops)} FLOPs exceed the budget: {Format(Math.Max(0, f - Flops - reserve * reserveCost.Flops))} FLOPs left{kept}";
        if (Limit.Tokens is { } t && tokens > t * (1 + 1e-9))
            return $"{runs} more runs of {Format(cost.Tokens)} tokens exceed the budget: {Format(Math.Max(0, t - Tokens - reserve * reserveCost.Tokens))} tokens left{kept}";
        return null;
    }

    /// <summary>One line: each limit's spent and total.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Limit.Runs is { } r) parts.Add($"runs {Runs}/{r}");
        if (Limit.Flops is { } f) parts.Add($"FLOPs {Format(Flops)}/{Format(f)}");
        if (Limit.Tokens is { } t) parts.Add($"tokens {Format(Tokens)}/{Format(t)}");
        if (Limit.Hours is { } h) parts.Add(string.Create(CultureInfo.InvariantCulture, $"hours {Hours:F2}/{Format(h)}"));
        return string.Join(", ", parts);
    }

    private static double Share(double spent, double? limit) => limit is { } l and > 0 ? spent / l : 0;

    private static string Format(double x) => x >= 1e5 ? x.ToString("0.00e0", CultureInfo.InvariantCulture) : x.ToString("0.##", CultureInfo.InvariantCulture);
}
