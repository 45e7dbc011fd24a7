using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// Bayesian optimisation by the tree-structured Parzen estimator (Bergstra et al. 2011), one knob at a time as in
/// Optuna's default: the variants tried so far are split into the best tenth (at least one, at most 25, as in Optuna)
/// and the rest; each knob gets a density
/// for each group (Parzen estimators in the unit interval, linear or logarithmic; smoothed frequencies for
/// categories); candidates are drawn from the good densities and the one with the highest good-to-bad ratio is run.
/// Until enough variants have ended it draws uniformly. Runs that diverged or failed count as the worst results, so
/// the search learns to avoid them.
/// </summary>
/// <param name="seed">Seeds the draws (with the study's variant count, so a restart continues the sequence).</param>
public sealed class TpeResearcher(int seed = 0) : IResearcher
{
    private const double Gamma = 0.1;
    private const int MaxGood = 25;
    private const int Candidates = 24;

    /// <inheritdoc/>
    public string Name => "tpe";

    /// <inheritdoc/>
    public Task<ResearchTurn> ActAsync(ResearchStudy study, ResearchState state, int capacity, CancellationToken cancellation)
    {
        var space = new KnobSpace(study);
        var random = new Random(unchecked(seed * 1_000_003 + state.Variants.Count));
        var observations = Observations(space, state);
        var startup = Math.Clamp(space.Knobs.Count + 1, 4, 10);
        var tried = state.Variants.Count - 1;
        return Task.FromResult(BuiltInProposals.Fill(study, Name, capacity, study.Agenda.Seeds.Experiment, () =>
        {
            if (tried++ < startup || observations.Count < 2)
            {
                var values = space.Sample(random);
                return new ExperimentProposal($"TPE start-up, uniform draw: {RandomResearcher.Describe(space.Changes(values))}", space.Changes(values));
            }
            var suggestion = Suggest(space, observations, random);
            return new ExperimentProposal(
                $"TPE: the best of {observations.Count} results favour {RandomResearcher.Describe(space.Changes(suggestion))}", space.Changes(suggestion));
        }));
    }

    /// <summary>Each ended variant's knob values and objective; variants without a finished run get the worst value seen, and a bit more.</summary>
    internal static List<(Dictionary<string, string> Values, double Score)> Observations(KnobSpace space, ResearchState state)
    {
        var ended = state.Variants.Where(v => v.Done).ToList();
        var scores = ended.Where(v => v.Mean is not null).Select(v => v.Mean!.Value).ToList();
        var penalty = scores.Count == 0 ? 0 : scores.Max() + 0.1 * (scores.Max() - scores.Min() + 1e-3);
        return ended.Select(v => (space.ValuesOf(v), v.Mean ?? penalty)).ToList();
    }

    /// <summary>The candidate, drawn from the good densities, with the highest good-to-bad density ratio.</summary>
    internal static Dictionary<string, string> Suggest(KnobSpace space, List<(Dictionary<string, string> Values, double Score)> observations, Random random)
    {
        var ordered = observations.OrderBy(o => o.Score).ToList();
        var goodCount = Math.Clamp((int)Math.Ceiling(Gamma * ordered.Count), 1, MaxGood);
        var good = ordered.Take(goodCount).Select(o => o.Values).ToList();
        var bad = ordered.Skip(goodCount).Select(o => o.Values).ToList();
        var densities = space.Knobs.Select(k => (Knob: k, Good: Density.Of(k, good), Bad: Density.Of(k, bad))).ToList();

        Dictionary<string, string>? best = null;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var candidate = new Dictionary<string, string>();
            double score = 0;
            foreach (var (knob, l, g) in densities)
            {
                var (value, position) = l.Sample(knob, random);
                candidate[knob.Path] = value;
                score += l.LogDensity(position) - g.LogDensity(position);
            }
            if (score > bestScore)
                (best, bestScore) = (candidate, score);
        }
        return best!;
    }

    /// <summary>One group's density for one knob: a Parzen estimator in the unit interval, or smoothed category frequencies.</summary>
    private sealed class Density
    {
        private ParzenEstimator? _numeric;
        private double[]? _probabilities;

        public static Density Of(Knob knob, List<Dictionary<string, string>> group)
        {
            if (knob.IsNumeric)
                return new Density { _numeric = new ParzenEstimator(group.Select(v => knob.ToUnit(v[knob.Path])).ToList()) };
            // One pseudo-count per category: a category never tried keeps a chance.
            var counts = Enumerable.Repeat(1.0, knob.Choices.Count).ToArray();
            foreach (var values in group)
            {
                if (knob.Index(values[knob.Path]) is var i and >= 0)
                    counts[i]++;
            }
            var total = counts.Sum();
            return new Density { _probabilities = counts.Select(c => c / total).ToArray() };
        }

        /// <summary>A value, and its position (unit coordinate, or category index) for <see cref="LogDensity"/>.</summary>
        public (string Value, double Position) Sample(Knob knob, Random random)
        {
            if (_numeric is not null)
            {
                // An integer knob is scored where its rounded value lies, so neighbours of one integer score alike.
                var value = knob.FromUnit(_numeric.Sample(random));
                return (value, knob.ToUnit(value));
            }
            var u = random.NextDouble();
            for (var i = 0; i < _probabilities!.Length; i++)
            {
                u -= _probabilities[i];
                if (u < 0)
                    return (knob.Choices[i], i);
            }
            return (knob.Choices[^1], _probabilities.Length - 1);
        }

        public double LogDensity(double position) =>
            _numeric?.LogDensity(position) ?? Math.Log(_probabilities![(int)position]);
    }
}
