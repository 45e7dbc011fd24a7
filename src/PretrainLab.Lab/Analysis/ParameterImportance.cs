using System.Globalization;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Analysis;

/// <summary>
/// Which knobs matter: an additive main-effects model y = μ + Σₖ fₖ(level of knob k) + f_seed(seed) is fitted to the
/// objective of the finished runs by backfitting (each fₖ in turn is set to the level means of the residual the others
/// leave, centred, until nothing changes: least squares for a model with one dummy per level). A knob's importance is
/// the share of the objective's variance its fitted part explains, Σᵢ fₖ(i)² / Σᵢ (yᵢ − ȳ)². Fitting the knobs
/// together keeps one strong knob from lending its effect to the others, as a plain comparison of marginal means would
/// in a one-knob-at-a-time design. In an unbalanced design the fitted parts are not orthogonal, so the shares need
/// not add up to 1 (each is capped at 1); they rank the knobs. Runs that leave a knob at the baseline's value form its level <c>baseline</c>. The
/// seed is fitted and listed too, as the yardstick: a knob that explains no more than the seed is noise. Interactions
/// are not modelled.
/// </summary>
public static class ParameterImportance
{
    /// <summary>The level name of runs that keep a knob at the baseline's value.</summary>
    public const string BaselineLevel = "baseline";

    /// <summary>The pseudo-knob of seed replicates.</summary>
    public const string SeedKnob = "seed";

    private const int MaxSweeps = 200;

    /// <summary>Importance of every knob among <paramref name="runs"/> on <paramref name="metric"/>, most important first.</summary>
    public static IReadOnlyList<KnobImportance> Of(IReadOnlyList<RunRecord> runs, string metric)
    {
        var measured = runs.Where(r => r.State == RunState.Finished && r.Metric(metric) is not null).ToList();
        if (measured.Count < 2)
            return [];
        var y = measured.Select(r => r.Metric(metric)!.Value).ToArray();
        var mean = y.Average();
        var total = y.Sum(v => (v - mean) * (v - mean));
        var knobs = measured.SelectMany(r => r.Knobs.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var factors = knobs.Select(k => (Name: k, Levels: measured.Select(r => r.Knobs.GetValueOrDefault(k, BaselineLevel)).ToArray())).ToList();
        factors.Add((SeedKnob, measured.Select(r => r.Seed.ToString(CultureInfo.InvariantCulture)).ToArray()));

        // fitted[k][i]: factor k's part of run i.
        var fitted = factors.Select(_ => new double[y.Length]).ToArray();
        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var change = 0.0;
            for (var k = 0; k < factors.Count; k++)
            {
                var residual = new double[y.Length];
                for (var i = 0; i < y.Length; i++)
                {
                    residual[i] = y[i] - mean;
                    for (var j = 0; j < factors.Count; j++)
                        residual[i] -= j == k ? 0 : fitted[j][i];
                }
                var levelMeans = Enumerable.Range(0, y.Length).GroupBy(i => factors[k].Levels[i])
                    .ToDictionary(g => g.Key, g => g.Average(i => residual[i]));
                var centre = Enumerable.Range(0, y.Length).Average(i => levelMeans[factors[k].Levels[i]]);
                for (var i = 0; i < y.Length; i++)
                {
                    var value = levelMeans[factors[k].Levels[i]] - centre;
                    change = Math.Max(change, Math.Abs(value - fitted[k][i]));
                    fitted[k][i] = value;
                }
            }
            if (change < 1e-12)
                break;
        }

        var result = new List<KnobImportance>();
        for (var k = 0; k < factors.Count; k++)
        {
            var explained = fitted[k].Sum(v => v * v);
            // The knob's levels as mean objective with the other knobs' fitted parts taken out.
            var levels = Enumerable.Range(0, y.Length).GroupBy(i => factors[k].Levels[i])
                .ToDictionary(g => g.Key, g => mean + fitted[k][g.First()]);
            result.Add(new KnobImportance(factors[k].Name, total > 0 ? Math.Min(1, explained / total) : 0, levels, levels.MinBy(l => l.Value).Key));
        }
        return result.OrderByDescending(k => k.EtaSquared).ThenBy(k => k.Knob, StringComparer.Ordinal).ToList();
    }
}
