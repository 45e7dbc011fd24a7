namespace ResearchBench;

/// <summary>One researcher's study in one repeat: the best validation result against the training FLOPs spent.</summary>
/// <param name="Researcher">The researcher.</param>
/// <param name="Repeat">The repeat (also the researcher's seed).</param>
/// <param name="Points">After each run ended, in order: cumulative training FLOPs and the best finished run so far.</param>
/// <param name="WallSeconds">Wall time of the study.</param>
internal sealed record StudyCurve(string Researcher, int Repeat, IReadOnlyList<(double Flops, double? Best)> Points, double WallSeconds)
{
    /// <summary>The best result at the end.</summary>
    public double Final => Points.LastOrDefault().Best ?? double.NaN;

    /// <summary>All the FLOPs the study spent.</summary>
    public double Total => Points.LastOrDefault().Flops;

    /// <summary>The FLOPs spent when the best first reached <paramref name="target"/>, or null when it never did.</summary>
    public double? FlopsToReach(double target) => Points.FirstOrDefault(p => p.Best <= target) is { Best: not null } hit ? hit.Flops : null;

    /// <summary>The best result once <paramref name="share"/> of the study's FLOPs were spent (NaN before the first finished run).</summary>
    public double BestAt(double share) => Points.LastOrDefault(p => p.Flops <= share * Total * (1 + 1e-9)).Best ?? double.NaN;
}
