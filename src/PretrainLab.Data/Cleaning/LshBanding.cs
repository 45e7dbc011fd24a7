namespace PretrainLab.Data.Cleaning;

/// <summary>
/// Locality-sensitive hashing over MinHash signatures: the signature is cut into
/// <see cref="Bands"/> bands of <see cref="Rows"/> entries, and two documents become a candidate
/// pair when all entries of at least one band agree, which happens with probability
/// 1 − (1 − s^rows)^bands for Jaccard similarity s: an S-curve that rises around (1/bands)^(1/rows).
/// </summary>
/// <param name="Bands">Number of bands.</param>
/// <param name="Rows">Signature entries per band.</param>
public readonly record struct LshBanding(int Bands, int Rows)
{
    /// <summary>The chance that documents of Jaccard similarity <paramref name="similarity"/> share a band.</summary>
    public double CandidateProbability(double similarity) => 1 - Math.Pow(1 - Math.Pow(similarity, Rows), Bands);

    /// <summary>Chance a pair at the threshold becomes a candidate that <see cref="ForThreshold"/> aims for.</summary>
    public const double TargetRecall = 0.95;

    /// <summary>
    /// The banding of at most <paramref name="permutations"/> entries under which a pair of similarity
    /// exactly <paramref name="threshold"/> becomes a candidate with probability at least
    /// <see cref="TargetRecall"/>, with the least false-positive area (candidate probability integrated
    /// over similarities below the threshold); if none reaches it, the one that comes closest.
    /// Recall comes first because every candidate's exact Jaccard is checked anyway: a false positive
    /// costs one comparison, a false negative a duplicate left in the data.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not in (0, 1) or <paramref name="permutations"/> is below 1.</exception>
    public static LshBanding ForThreshold(double threshold, int permutations)
    {
        if (!(threshold > 0 && threshold < 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be strictly between 0 and 1.");
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 1);
        LshBanding? best = null;
        double bestArea = double.PositiveInfinity;
        var closest = new LshBanding(permutations, 1);
        for (int bands = 1; bands <= permutations; bands++)
        {
            for (int rows = 1; bands * rows <= permutations; rows++)
            {
                var banding = new LshBanding(bands, rows);
                double recall = banding.CandidateProbability(threshold);
                if (recall > closest.CandidateProbability(threshold))
                    closest = banding;
                if (recall < TargetRecall)
                    continue;
                double area = banding.Area(0, threshold);
                if (area < bestArea)
                {
                    bestArea = area;
                    best = banding;
                }
            }
        }
        return best ?? closest;
    }

    // Midpoint rule; the curve is smooth, and 200 steps resolve the differences between bandings.
    private double Area(double from, double to)
    {
        const int Steps = 200;
        double width = (to - from) / Steps, sum = 0;
        for (int i = 0; i < Steps; i++)
            sum += CandidateProbability(from + (i + 0.5) * width);
        return sum * width;
    }
}
