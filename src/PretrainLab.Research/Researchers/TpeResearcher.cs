using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// Bayesian optimisation by the tree-structured Parzen estimator (Bergstra et al. 2011), multivariate as Optuna's
/// <c>multivariate=True</c>: the variants tried so far are split into the best tenth (at least one, at most 25, as in
/// Optuna) and the rest; each group gets a density over the whole knob space (<see cref="ParzenEstimator"/>: one
/// kernel per variant, in the unit interval of each knob, linear or logarithmic, and over its categories); 24
/// candidates are drawn from the good density and the one with the highest good-to-bad ratio is run. It first draws
/// uniformly, for a tenth of the experiments the budget allows (see <see cref="StartupDraws"/>). Runs that diverged or
/// failed count as the worst results, so the search learns to avoid them. A turn fills every free slot, and runs in
/// flight are handled as Optuna's <c>constant_liar=True</c> does: a variant without a result yet (including those
/// queued earlier in the same turn) counts as the worst result, so it sits in the bad group and the next draw moves
/// away from it instead of crowding the same point.
/// </summary>
/// <param name="seed">Seeds the draws (with the number of the experiment drawn, so a restart continues the sequence).</param>
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
        var results = state.Variants.Count(v => v.Mean is not null);
        var startup = StartupDraws(study);
        return Task.FromResult(BuiltInProposals.Fill(study, state, Name, seed, capacity, study.Agenda.Seeds.Experiment, (queued, random) =>
        {
            // Experiments before this one: the variants but the baseline, and those queued this turn.
            if (state.Variants.Count - 1 + queued.Count < startup || results < 2)
            {
                var values = space.Sample(random);
                return new ExperimentProposal($"TPE start-up, uniform draw: {RandomResearcher.Describe(space.Changes(values))}", space.Changes(values));
            }
            var observations = Observations(space, state, queued);
            var suggestion = Suggest(space, observations, random);
            return new ExperimentProposal(
                $"TPE: the best of {results} results favour {RandomResearcher.Describe(space.Changes(suggestion))}", space.Changes(suggestion));
        }));
    }

    /// <summary>
    /// The uniform draws before TPE models the results: a tenth of the experiments the budget allows, at least 3 and at
    /// most 10 (Optuna's default, made for studies of a hundred trials or more). The experiments are the runs the budget
    /// allows (its run count, or its FLOPs or tokens over the baseline's cost per run, whichever is least) less the
    /// baseline's noise seeds and the runs kept back for confirmation, over the seeds per experiment; a budget in hours
    /// alone allows any number, so 10. Ten draws would be a quarter of a 40-run study spent before the model is used,
    /// and the baseline's result is already there to compare against.
    /// </summary>
    internal static int StartupDraws(ResearchStudy study)
    {
        var budget = study.Agenda.Budget;
        var cost = study.BaselineCost;
        var runs = new double?[]
        {
            budget.Runs,
            budget.Flops is { } f && cost.Flops > 0 ? Math.Floor(f / cost.Flops) : null,
            budget.Tokens is { } t && cost.Tokens > 0 ? Math.Floor(t / cost.Tokens) : null,
        }.OfType<double>().DefaultIfEmpty(double.PositiveInfinity).Min();
        var experiments = (runs - study.Agenda.Seeds.Noise - study.ReserveRuns) / Math.Max(1, study.Agenda.Seeds.Experiment);
        return (int)Math.Clamp(Math.Ceiling(experiments / 10), 3, 10);
    }

    /// <summary>
    /// Every variant's knob values and objective (its mean over the seeds finished so far), and the experiments
    /// <paramref name="queued"/> this turn. A variant without a finished run (diverged, failed, or still in flight) and a
    /// queued experiment get the constant liar's value: the worst result seen, and a bit more.
    /// </summary>
    internal static List<(Dictionary<string, string> Values, double Score)> Observations(
        KnobSpace space, ResearchState state, IReadOnlyList<ExperimentProposal>? queued = null)
    {
        var scores = state.Variants.Where(v => v.Mean is not null).Select(v => v.Mean!.Value).ToList();
        var worst = scores.Count == 0 ? 0 : scores.Max() + 0.1 * (scores.Max() - scores.Min() + 1e-3);
        return state.Variants.Select(v => (space.ValuesOf(v), v.Mean ?? worst))
            .Concat((queued ?? []).Select(p => (space.ValuesOf(p.Changes), worst)))
            .ToList();
    }

    /// <summary>The candidate, drawn from the good density, with the highest good-to-bad density ratio.</summary>
    internal static Dictionary<string, string> Suggest(KnobSpace space, List<(Dictionary<string, string> Values, double Score)> observations, Random random)
    {
        var ordered = observations.OrderBy(o => o.Score).ToList();
        var goodCount = Math.Clamp((int)Math.Ceiling(Gamma * ordered.Count), 1, MaxGood);
        double[] Encode(Dictionary<string, string> values) =>
            space.Knobs.Select(k => k.IsNumeric ? k.ToUnit(values[k.Path]) : Math.Max(0, k.Index(values[k.Path]))).ToArray();
        var good = new ParzenEstimator(space.Knobs, ordered.Take(goodCount).Select(o => Encode(o.Values)).ToList());
        var bad = new ParzenEstimator(space.Knobs, ordered.Skip(goodCount).Select(o => Encode(o.Values)).ToList());
        double[]? best = null;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            // Scored where the values will land: integers rounded, reals to three digits.
            var x = good.Sample(random);
            var landed = space.Knobs.Select((k, d) => k.IsNumeric ? k.ToUnit(k.FromUnit(x[d])) : x[d]).ToArray();
            var score = good.LogDensity(landed) - bad.LogDensity(landed);
            if (score > bestScore)
                (best, bestScore) = (landed, score);
        }
        return space.Knobs.Select((k, d) => (k.Path, Value: k.IsNumeric ? k.FromUnit(best![d]) : k.Choices[(int)best![d]]))
            .ToDictionary(p => p.Path, p => p.Value);
    }
}
