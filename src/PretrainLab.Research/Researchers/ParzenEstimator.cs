namespace PretrainLab.Research.Researchers;

/// <summary>
/// A one-dimensional density on [0, 1] for TPE: a mixture of Gaussians truncated to the interval, one at each
/// observation and a wide prior at the centre. Each observation's bandwidth is the larger gap to its neighbours
/// (with the interval's ends as neighbours), clipped to [1/min(100, n + 1), 1] as Optuna does, so dense clusters give
/// sharp peaks and lone points broad ones without a few close results collapsing the search onto them.
/// </summary>
public sealed class ParzenEstimator
{
    private const double PriorMean = 0.5;
    private const double PriorWidth = 1.0;
    private readonly double[] _means;
    private readonly double[] _widths;

    /// <summary>The estimator of <paramref name="points"/>, each in [0, 1].</summary>
    public ParzenEstimator(IReadOnlyList<double> points)
    {
        var sorted = points.Select(p => Math.Clamp(p, 0, 1)).Append(PriorMean).Order().ToArray();
        var minWidth = 1.0 / Math.Min(100, points.Count + 1);
        _means = sorted;
        _widths = new double[sorted.Length];
        var priorSeen = false;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (!priorSeen && sorted[i] == PriorMean)
            {
                // The prior keeps its own wide bandwidth, whatever its neighbours.
                _widths[i] = PriorWidth;
                priorSeen = true;
                continue;
            }
            var left = i == 0 ? sorted[i] : sorted[i] - sorted[i - 1];
            var right = i == sorted.Length - 1 ? 1 - sorted[i] : sorted[i + 1] - sorted[i];
            _widths[i] = Math.Clamp(Math.Max(left, right), minWidth, 1);
        }
    }

    /// <summary>A draw: a component chosen uniformly, then its truncated Gaussian.</summary>
    public double Sample(Random random)
    {
        var i = random.Next(_means.Length);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var x = _means[i] + _widths[i] * Gaussian(random);
            if (x is >= 0 and <= 1)
                return x;
        }
        return Math.Clamp(_means[i], 0, 1);
    }

    /// <summary>The log density at <paramref name="x"/>.</summary>
    public double LogDensity(double x)
    {
        double sum = 0;
        for (var i = 0; i < _means.Length; i++)
        {
            var (m, w) = (_means[i], _widths[i]);
            var mass = NormalCdf((1 - m) / w) - NormalCdf(-m / w);
            var z = (x - m) / w;
            sum += Math.Exp(-0.5 * z * z) / (w * Math.Sqrt(2 * Math.PI) * Math.Max(mass, 1e-12));
        }
        return Math.Log(sum / _means.Length + 1e-300);
    }

    /// <summary>The standard normal distribution function.</summary>
    public static double NormalCdf(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>The error function, by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
    private static double Erf(double x)
    {
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + 0.3275911 * x);
        var y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }
}
