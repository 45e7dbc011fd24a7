namespace PretrainLab.Lab.Recipes;

/// <summary>How often and how much a run is evaluated (recipe section <c>eval</c>).</summary>
/// <param name="Interval">Steps between evaluations (<c>interval</c>), at least 1; a run is also evaluated at its end.</param>
/// <param name="Tokens">Validation tokens scored per evaluation (<c>tokens</c>), at least 0; 0 uses the whole validation split.</param>
public sealed record EvalSpec(int Interval, long Tokens)
{
    /// <summary>
    /// Tokens between the starts of evaluation windows (<c>stride</c>), 0 to the block size; 0 = the block size
    /// (consecutive windows). A smaller stride scores each token with at least block size − stride tokens of context,
    /// at block size / stride times the compute (see <see cref="PretrainLab.Engine.Training.Evaluator"/>).
    /// </summary>
    public int Stride { get; init; }

    /// <summary>The whole validation split every 250 steps, in consecutive windows.</summary>
    public static EvalSpec Default { get; } = new(Interval: 250, Tokens: 0);
}
