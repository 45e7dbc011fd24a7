namespace PretrainLab.Lab.Analysis;

/// <summary>
/// Estimates a change's effect over seeds, honestly. With at least two seeds in common the runs are paired by seed
/// (the same data order and initialisation, so seed noise largely cancels) and the interval is the t interval of the
/// paired differences; otherwise it is Welch's interval for a difference of means. The effect clears the noise floor
/// when its interval excludes 0 and its size exceeds twice the baseline's seed-to-seed standard deviation: the
/// interval guards against chance, the 2σ rule against effects too small to matter next to seed noise.
/// </summary>
public static class EffectEstimator
{
    /// <summary>The verdict of an effect that clears the noise floor and lowers the metric.</summary>
    public const string Better = "better";

    /// <summary>The verdict of an effect that clears the noise floor and raises the metric.</summary>
    public const string Worse = "worse";

    /// <summary>The verdict of an effect that does not clear the noise floor.</summary>
    public const string WithinNoise = "within noise";

    /// <summary>The verdict when seeds are too few for an interval or a noise floor.</summary>
    public const string TooFewSeeds = "too few seeds";

    /// <summary>
    /// The effect of <paramref name="variant"/> against <paramref name="baseline"/> on <paramref name="metric"/>, judged
    /// against the noise floor <paramref name="noiseSigma"/> (null when unknown).
    /// </summary>
    public static Effect Compare(SeedSample baseline, SeedSample variant, string metric, double? noiseSigma, double confidence = 0.95)
    {
        var common = baseline.Values.Keys.Intersect(variant.Values.Keys).Order().ToList();
        double? difference = null, halfWidth = null, df = null;
        var paired = common.Count >= 2;
        if (paired)
        {
            var d = common.Select(s => variant.Values[s] - baseline.Values[s]).ToList();
            difference = d.Average();
            df = d.Count - 1;
            halfWidth = StudentT.Quantile(1 - (1 - confidence) / 2, df.Value) * Statistics.StandardDeviation(d)!.Value / Math.Sqrt(d.Count);
        }
        else if (baseline.Count > 0 && variant.Count > 0)
        {
            difference = variant.Mean - baseline.Mean;
            if (baseline.Count >= 2 && variant.Count >= 2)
            {
                var va = Math.Pow(baseline.StandardDeviation!.Value, 2) / baseline.Count;
                var vb = Math.Pow(variant.StandardDeviation!.Value, 2) / variant.Count;
                var se = Math.Sqrt(va + vb);
                // Welch–Satterthwaite; identical samples (se = 0) get the pooled degrees of freedom.
                df = se > 0 ? Math.Pow(va + vb, 2) / (va * va / (baseline.Count - 1) + vb * vb / (variant.Count - 1)) : baseline.Count + variant.Count - 2;
                halfWidth = StudentT.Quantile(1 - (1 - confidence) / 2, df.Value) * se;
            }
        }

        double? low = difference - halfWidth, high = difference + halfWidth;
        var clears = low is { } l && high is { } h && (l > 0 || h < 0) && noiseSigma is { } sigma && Math.Abs(difference!.Value) > 2 * sigma;
        var verdict = clears
            ? difference < 0 ? Better : Worse
            : halfWidth is null || noiseSigma is null ? TooFewSeeds : WithinNoise;
        return new Effect
        {
            Baseline = baseline.Label,
            Variant = variant.Label,
            Metric = metric,
            BaselineCount = baseline.Count,
            VariantCount = variant.Count,
            BaselineMean = baseline.Count > 0 ? baseline.Mean : null,
            VariantMean = variant.Count > 0 ? variant.Mean : null,
            Difference = difference,
            RelativePercent = difference is { } x && baseline.Count > 0 && baseline.Mean != 0 ? 100 * x / baseline.Mean : null,
            Low = halfWidth is null ? null : low,
            High = halfWidth is null ? null : high,
            Confidence = confidence,
            Paired = paired,
            DegreesOfFreedom = df,
            NoiseSigma = noiseSigma,
            ClearsNoiseFloor = clears,
            Verdict = verdict,
        };
    }
}
