using System.Globalization;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// Early stopping by the median rule, over variants: at the latest evaluation step s of a variant's running seeds,
/// once s is past <see cref="EarlyStoppingSpec.MinFraction"/> of the budget, the variant's mean objective at s (over
/// its seeds measured there) is compared with the median, at s, of the means of the variants that have finished; if it
/// is worse, every seed of the variant is stopped. The baseline is never stopped.
/// </summary>
/// <param name="spec">The rule's settings.</param>
/// <param name="objective">The metric (lower is better).</param>
/// <param name="baseline">The baseline's label.</param>
/// <param name="series">A run's metric series.</param>
public sealed class MedianStopping(EarlyStoppingSpec spec, string objective, string baseline, Func<RunRecord, IReadOnlyList<MetricPoint>> series)
{
    // A finished run's series never changes: read once.
    private readonly Dictionary<long, Dictionary<long, double>> _finished = [];

    /// <summary>The variants among <paramref name="runs"/> (one study) to stop now, each with the reason.</summary>
    public IReadOnlyList<(string Label, string Reason)> Decide(IReadOnlyList<RunRecord> runs)
    {
        var variants = runs.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.ToList());
        var finished = variants.Values.Where(v => v.All(r => r.State.IsFinal()) && v.Any(r => r.State == RunState.Finished)).ToList();
        if (finished.Count < spec.MinFinished)
            return [];
        var decisions = new List<(string, string)>();
        foreach (var (label, members) in variants)
        {
            var running = members.Where(r => r.State == RunState.Running).ToList();
            if (label == baseline || running.Count == 0 || running.Max(r => r.TotalSteps) is not { } total)
                continue;
            var curves = members.ToDictionary(r => r.Id, r => r.State switch
            {
                RunState.Running => Values(series(r)),
                RunState.Finished => Finished(r),
                _ => [],
            });
            var step = running.SelectMany(r => curves[r.Id].Keys).DefaultIfEmpty(0).Max();
            if (step < spec.MinFraction * total)
                continue;
            var mine = members.Select(r => curves[r.Id]).Where(c => c.ContainsKey(step)).Select(c => c[step]).ToList();
            var others = finished
                .Select(v => v.Where(r => r.State == RunState.Finished).Select(Finished).Where(c => c.ContainsKey(step)).Select(c => c[step]).ToList())
                .Where(values => values.Count > 0)
                .Select(values => values.Average())
                .ToList();
            if (mine.Count == 0 || others.Count < spec.MinFinished)
                continue;
            var median = Statistics.Median(others);
            if (mine.Average() > median)
            {
                decisions.Add((label, string.Create(CultureInfo.InvariantCulture,
                    $"median stopping rule: {objective} {mine.Average():F4} at step {step} is worse than the median {median:F4} of {others.Count} finished variants")));
            }
        }
        return decisions;
    }

    private Dictionary<long, double> Finished(RunRecord run)
    {
        if (!_finished.TryGetValue(run.Id, out var values))
        {
            values = Values(series(run));
            _finished[run.Id] = values;
        }
        return values;
    }

    private Dictionary<long, double> Values(IReadOnlyList<MetricPoint> points) => points
        .Select(p => (p.Step, Value: objective == "val_loss" ? p.ValLoss : p.ValBpb))
        .Where(p => p.Value is not null)
        .ToDictionary(p => p.Step, p => p.Value!.Value);
}
