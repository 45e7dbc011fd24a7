namespace PretrainLab.Lab.Analysis;

/// <summary>Summary statistics (over seeds, steps, repeats).</summary>
public static class Statistics
{
    /// <summary>The sample standard deviation (n − 1 in the denominator), or null for fewer than 2 values.</summary>
    public static double? StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            return null;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>The middle value of <paramref name="values"/> (the mean of the two middle ones for an even count); not empty.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            throw new ArgumentException("the median of no values", nameof(values));
        var half = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }
}
