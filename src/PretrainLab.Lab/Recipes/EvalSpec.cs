namespace PretrainLab.Lab.Recipes;

/// <summary>How often and how much a run is evaluated (recipe section <c>eval</c>).</summary>
/// <param name="Interval">Steps between evaluations (<c>interval</c>), at least 1; a run is also evaluated at its end.</param>
/// <param name="Tokens">Validation tokens per evaluation (<c>tokens</c>), at least 0; 0 uses the whole validation split.</param>
public sealed record EvalSpec(int Interval, long Tokens)
{
    /// <summary>The whole validation split every 250 steps.</summary>
    public static EvalSpec Default { get; } = new(Interval: 250, Tokens: 0);
}
