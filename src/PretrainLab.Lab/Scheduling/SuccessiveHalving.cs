using System.Globalization;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2018) over variants: a variant's seeds move together, and a
/// variant is scored at a rung by the mean of its seeds' objective there (a diverged or failed seed scores worst).
/// Whenever a variant has paused at rung r, it is promoted if it ranks in the top ⌊n/η⌋ of the n variants that have
/// reached rung r so far; the baseline is always promoted, so every variant can be compared with it at full budget.
/// No one waits for a rung to fill, which keeps every slot busy. When nothing is left to run, the variants still
/// paused are pruned.
/// </summary>
/// <param name="spec">The halving settings.</param>
/// <param name="objective">The metric that ranks (lower is better).</param>
/// <param name="baseline">The baseline variant's label.</param>
/// <param name="rungSteps">The rung end steps of a run (its full budget last).</param>
/// <param name="objectiveAt">A run's objective at an evaluation step, or null if it was not measured there.</param>
public sealed class SuccessiveHalving(
    HalvingSpec spec, string objective, string baseline, Func<RunRecord, IReadOnlyList<long>> rungSteps,
    Func<RunRecord, long, double?> objectiveAt)
{
    /// <summary>
    /// The promotions due for <paramref name="runs"/> (all of one study); when <paramref name="idle"/> (nothing queued or
    /// running) and none is due, the prunings that end the study instead.
    /// </summary>
    public IReadOnlyList<HalvingDecision> Decide(IReadOnlyList<RunRecord> runs, bool idle)
    {
        var variants = runs.GroupBy(r => r.Label).Select(g => new Variant(g.Key, g.ToList())).ToList();
        var decisions = new List<HalvingDecision>();
        foreach (var v in variants.Where(v => v.Ready))
        {
            var steps = rungSteps(v.Runs[0]);
            var rung = (int)v.Rung;
            if (rung >= steps.Count - 1)
                continue;
            var reached = variants.Where(o => o.Rung > rung || (o.Rung == rung && o.Settled)).ToList();
            var ranked = reached.OrderBy(o => Score(o, rung, steps[rung])).ThenBy(o => o.Label, StringComparer.Ordinal).ToList();
            var rank = ranked.FindIndex(o => o.Label == v.Label);
            var keep = reached.Count / spec.Eta;
            var score = Score(v, rung, steps[rung]);
            var standing = string.Create(CultureInfo.InvariantCulture,
                $"rank {rank + 1} of {reached.Count} at rung {rung} (step {steps[rung]}, {objective} {score:F4})");
            if (rank < keep || v.Label == baseline)
            {
                var next = rung + 1;
                var target = next < steps.Count - 1 ? steps[next] : (long?)null;
                var why = v.Label == baseline && rank >= keep ? $"baseline, always promoted; {standing}" : standing;
                decisions.AddRange(v.Runs.Where(r => r.State == RunState.Paused).Select(r => new HalvingDecision(r, true, next, target, why)));
            }
            else if (idle)
            {
                decisions.Add(new HalvingDecision(v.Runs[0], false, rung, null, $"successive halving: {standing}, top {keep} promoted"));
            }
        }

        if (decisions.Any(d => d.Promote))
            return decisions.Where(d => d.Promote).ToList();
        if (!idle)
            return [];
        // Nothing left to run: every paused run is pruned, including seeds of variants that cannot go on.
        var reasons = decisions.ToDictionary(d => d.Run.Label, d => d.Reason);
        return runs.Where(r => r.State == RunState.Paused)
            .Select(r => new HalvingDecision(r, false, r.Rung, null,
                reasons.GetValueOrDefault(r.Label, "successive halving: its variant cannot be promoted (a seed diverged or failed)")))
            .ToList();
    }

    private double Score(Variant v, int rung, long step)
    {
        if (v.Rung == rung && v.Dead)
            return double.PositiveInfinity;
        var values = v.Runs.Select(r => v.Rung == rung && r.State == RunState.Paused ? r.Metric(objective) : objectiveAt(r, step)).ToList();
        return values.Any(x => x is null) ? double.PositiveInfinity : values.Average(x => x!.Value);
    }

    private sealed class Variant(string label, List<RunRecord> runs)
    {
        public string Label { get; } = label;

        public List<RunRecord> Runs { get; } = runs;

        /// <summary>The lowest rung any of its seeds is at.</summary>
        public long Rung { get; } = runs.Min(r => r.Rung);

        /// <summary>A seed diverged or failed: it scores worst and is never promoted.</summary>
        public bool Dead { get; } = runs.Any(r => r.State is RunState.Diverged or RunState.Failed);

        /// <summary>No seed is queued or running: its result at its rung is known.</summary>
        public bool Settled { get; } = runs.All(r => r.State is not (RunState.Queued or RunState.Starting or RunState.Running));

        /// <summary>Every seed is paused at the same rung, ready to be promoted.</summary>
        public bool Ready => !Dead && Runs.All(r => r.State == RunState.Paused && r.Rung == Rung);
    }
}
