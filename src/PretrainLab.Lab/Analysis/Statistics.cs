namespace PretrainLab.Lab.Analysis;

/// <summary>Summary statistics over seeds.</summary>
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
}
