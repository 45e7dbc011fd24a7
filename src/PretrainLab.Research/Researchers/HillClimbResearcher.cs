using System.Globalization;
using PretrainLab.Lab.Analysis;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// autoresearch's greedy loop, made honest: change one knob of the incumbent, run it, keep the change only when its
/// effect against the incumbent clears the noise floor (a paired interval that excludes zero and a difference beyond
/// 2σ of the baseline's seed spread), otherwise discard it. Candidates therefore run with at least two seeds, the
/// incumbent's, so comparisons pair. Every keep or discard is journaled, and a kept change is recorded as a finding;
/// the journal is also how a restarted climber finds its incumbent again.
/// </summary>
/// <param name="seed">Seeds the mutations (with the study's variant count, so a restart continues the sequence).</param>
public sealed class HillClimbResearcher(int seed = 0) : IResearcher
{
    private const double Step = 0.2;

    /// <inheritdoc/>
    public string Name => "hillclimb";

    /// <inheritdoc/>
    public Task<ResearchTurn> ActAsync(ResearchStudy study, ResearchState state, int capacity, CancellationToken cancellation)
    {
        var incumbent = Decide(study, state);
        var space = new KnobSpace(study);
        var random = new Random(unchecked(seed * 1_000_003 + state.Variants.Count));
        var start = space.ValuesOf(state.Find(incumbent)!);
        var seeds = Math.Max(2, study.Agenda.Seeds.Experiment);
        return Task.FromResult(BuiltInProposals.Fill(study, Name, capacity, seeds, () =>
        {
            var knob = space.Knobs[random.Next(space.Knobs.Count)];
            var values = new Dictionary<string, string>(start) { [knob.Path] = Mutate(knob, start[knob.Path], random) };
            return new ExperimentProposal(
                $"hill climb from {incumbent}: {knob.Path} {start[knob.Path]} -> {values[knob.Path]}", space.Changes(values));
        }));
    }

    /// <summary>
    /// Replays the journal's decisions to find the incumbent, then decides on every candidate of this climber whose runs
    /// have all ended, in the order proposed. Returns the incumbent's label.
    /// </summary>
    private string Decide(ResearchStudy study, ResearchState state)
    {
        var journal = study.ReadJournal();
        var incumbent = ResearchStudy.BaselineLabel;
        var decided = new HashSet<string>();
        foreach (var entry in journal.Where(e => e.Kind == ResearchJournal.Decision))
        {
            var words = entry.Text.Split(' ', 3);
            decided.Add(words[1].TrimEnd(':'));
            if (words[0] == "kept")
                incumbent = words[1].TrimEnd(':');
        }
        var candidates = journal
            .Where(e => e.Kind == ResearchJournal.Hypothesis)
            .Select(e => ResearchJournal.ParseHypothesis(e.Text))
            .Where(h => h?.Author == Name && !decided.Contains(h.Value.Label))
            .Select(h => h!.Value.Label)
            .Distinct();
        foreach (var label in candidates)
        {
            var candidate = state.Find(label);
            var current = state.Find(incumbent);
            if (candidate is not { Done: true } || current is not { Done: true } || state.NoiseFloor.Sigma is null)
                break;
            var effect = EffectEstimator.Compare(current.Sample, candidate.Sample, study.Objective, state.NoiseFloor.Sigma);
            var kept = effect.Verdict == EffectEstimator.Better;
            study.Journal(ResearchJournal.Decision, candidate.FirstRunId, $"{(kept ? "kept" : "discarded")} {label}: {effect.Metric} {EffectText.Describe(effect)} against {incumbent}");
            if (kept)
            {
                study.RecordFinding(
                    $"{RandomResearcher.Describe(Difference(candidate, current))} improves on {incumbent} beyond the noise floor", label, incumbent);
                incumbent = label;
            }
        }
        return incumbent;
    }

    private static Dictionary<string, string> Difference(VariantResult candidate, VariantResult incumbent) =>
        candidate.Knobs.Where(k => incumbent.Knobs.GetValueOrDefault(k.Key) != k.Value).ToDictionary(k => k.Key, k => k.Value);

    /// <summary>A neighbour of <paramref name="value"/>: a Gaussian step in the unit interval, at least one integer away, or another category.</summary>
    internal static string Mutate(Knob knob, string value, Random random)
    {
        if (!knob.IsNumeric)
        {
            var others = knob.Choices.Where(c => c != value).ToList();
            return others[random.Next(others.Count)];
        }
        var u = knob.ToUnit(value);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var next = knob.FromUnit(u + Step * z);
            if (next != value)
                return next;
        }
        // Rounding kept landing on the same integer: step by one.
        var x = double.Parse(value, CultureInfo.InvariantCulture);
        var stepped = x + (x >= knob.Max ? -1 : x <= knob.Min ? 1 : random.Next(2) * 2 - 1);
        return Knob.Format(Math.Clamp(stepped, knob.Min!.Value, knob.Max!.Value));
    }
}
