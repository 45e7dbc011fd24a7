using System.Globalization;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// autoresearch's greedy loop, made honest: change the incumbent (one knob from a shuffled cycle, and each other knob
/// with probability <see cref="OtherKnobRate"/>; a numeric knob by a Gaussian step in its unit interval, a categorical
/// one to another category; the cycle counts candidates still in flight, so runs that train at the same time lead with
/// different knobs), run it, keep the change only when its effect against the incumbent clears the noise floor (a
/// paired interval that excludes zero and a difference beyond 2σ of the baseline's seed spread), otherwise discard it.
/// A candidate first runs on one seed, the incumbent's first: unless it beats the incumbent's run on that seed by more
/// than the seed spread where the climb is (see <see cref="ScreenSpread"/>) it is discarded there, which keeps most bad
/// changes to one run; otherwise it is replicated to the baseline's noise seeds (at least two) and judged on all of
/// them, paired with the incumbent's. Every keep or discard is journaled, and a kept change is recorded as a finding;
/// the journal is also how a restarted climber finds its incumbent again.
/// </summary>
/// <param name="seed">Seeds the knob cycle and the mutations (with the number of the experiment drawn, so a restart continues the sequence).</param>
public sealed class HillClimbResearcher(int seed = 0) : IResearcher
{
    private const double Step = 0.2;

    /// <summary>
    /// The chance that each knob besides the cycle's also changes in a candidate, so a candidate changes five of nine
    /// knobs on average. One knob per step, with every passing candidate replicated, made two to four kept changes in a
    /// 40-run study of nine knobs (the research benchmark, with the correlated draws of before <see cref="KeyedRandom"/>),
    /// too few to leave the baseline's neighbourhood; moving many knobs at once is how an evolution strategy's step works.
    /// A kept candidate still clears the noise floor as a whole, and its finding names every knob it changed.
    /// </summary>
    internal const double OtherKnobRate = 0.5;

    /// <inheritdoc/>
    public string Name => "hillclimb";

    /// <inheritdoc/>
    public Task<ResearchTurn> ActAsync(ResearchStudy study, ResearchState state, int capacity, CancellationToken cancellation)
    {
        var (incumbent, replicated) = Decide(study, state);
        if (replicated > 0 && replicated >= capacity)
            return Task.FromResult(new ResearchTurn(replicated));
        var space = new KnobSpace(study);
        var start = space.ValuesOf(state.Find(incumbent)!);
        // The knobs are visited in a shuffled cycle, so every knob is tried once before any is tried twice.
        var cycle = Enumerable.Range(0, space.Knobs.Count).ToArray();
        new KeyedRandom(seed, -1).Shuffle(cycle); // -1: a stream no experiment draws from
        var tried = Candidates(study.ReadJournal()).Count();
        var turn = BuiltInProposals.Fill(study, state, Name, seed, capacity - replicated, 1, (_, random) =>
        {
            var lead = space.Knobs[cycle[tried++ % cycle.Length]];
            var values = new Dictionary<string, string>(start);
            foreach (var knob in space.Knobs.Where(k => k == lead || random.NextDouble() < OtherKnobRate))
                values[knob.Path] = Mutate(knob, start[knob.Path], random);
            var moves = space.Knobs.Where(k => values[k.Path] != start[k.Path]).Select(k => $"{k.Path} {start[k.Path]} -> {values[k.Path]}");
            return new ExperimentProposal($"hill climb from {incumbent}: {string.Join(", ", moves)}", space.Changes(values));
        });
        return Task.FromResult(turn with { RunsQueued = turn.RunsQueued + replicated, Done = turn.Done && replicated == 0 });
    }

    /// <summary>The seeds a candidate is judged on: the baseline's noise seeds, at least two, within the agenda's limit.</summary>
    private static int TestSeeds(ResearchStudy study) => Math.Clamp(study.Agenda.Seeds.Noise, 2, study.Agenda.Constraints.MaxSeeds);

    /// <summary>
    /// Replays the journal's decisions to find the incumbent, then, in the order proposed, screens or decides every
    /// candidate of this climber whose runs have all ended. Returns the incumbent's label and the runs queued to
    /// replicate candidates that passed the screen.
    /// </summary>
    private (string Incumbent, int Replicated) Decide(ResearchStudy study, ResearchState state)
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
        var candidates = Candidates(journal).Where(label => !decided.Contains(label));
        var replicated = 0;
        var seeds = TestSeeds(study);
        var first = (long)study.Baseline.Seed;
        foreach (var label in candidates)
        {
            var candidate = state.Find(label);
            var current = state.Find(incumbent);
            if (candidate is not { Done: true } || current is not { Done: true } || state.NoiseFloor.Sigma is not { } sigma)
                break;
            if (candidate.Seeds.Count < seeds)
            {
                // The screen: one run against the incumbent's run on the same seed.
                var mine = candidate.Sample.Values.GetValueOrDefault(first, double.NaN);
                var theirs = current.Sample.Values.GetValueOrDefault(first, double.NaN);
                var spread = ScreenSpread(state.Variants.Select(v => v.Sample), sigma);
                if (!(mine < theirs - spread))
                {
                    var shown = double.IsNaN(mine) ? "no finished run" : string.Create(CultureInfo.InvariantCulture, $"{mine - theirs:+0.0000;-0.0000} on seed {first}");
                    study.Journal(ResearchJournal.Decision, candidate.FirstRunId,
                        string.Create(CultureInfo.InvariantCulture, $"discarded {label}: {study.Objective} {shown}, not σ = {spread:0.0000} below {incumbent}'s run on that seed"));
                    continue;
                }
                var result = study.Propose([new ExperimentProposal($"replicate {label}: it beat {incumbent} on seed {first}", candidate.Knobs, seeds)], Name)[0];
                if (result.Accepted)
                {
                    replicated += result.RunIds.Count;
                    break;
                }
                study.Journal(ResearchJournal.Decision, candidate.FirstRunId, $"discarded {label}: it passed the screen but cannot be replicated ({result.Error})");
                continue;
            }
            var effect = EffectEstimator.Compare(current.Sample, candidate.Sample, study.Objective, sigma);
            var kept = effect.Verdict == EffectEstimator.Better;
            study.Journal(ResearchJournal.Decision, candidate.FirstRunId, $"{(kept ? "kept" : "discarded")} {label}: {effect.Metric} {EffectText.Describe(effect)} against {incumbent}");
            if (kept)
            {
                study.RecordFinding(
                    $"{RandomResearcher.Describe(Difference(candidate, current))} improves on {incumbent} beyond the noise floor", label, incumbent);
                incumbent = label;
            }
        }
        return (incumbent, replicated);
    }

    /// <summary>
    /// The seed-to-seed spread the screen asks a candidate to beat: the standard deviation pooled over every variant with
    /// two or more finished seeds (the baseline and the candidates replicated so far), or the baseline's
    /// <paramref name="sigma"/> when that is larger. Better recipes are often noisier than the baseline (higher learning
    /// rates, smaller models: several times its σ in the research benchmark), so the baseline's σ alone would send
    /// candidates that were merely lucky on one seed to be replicated.
    /// </summary>
    internal static double ScreenSpread(IEnumerable<SeedSample> samples, double sigma)
    {
        double squares = 0, freedom = 0;
        foreach (var sample in samples.Where(s => s.Count >= 2))
        {
            var deviation = sample.StandardDeviation!.Value;
            squares += deviation * deviation * (sample.Count - 1);
            freedom += sample.Count - 1;
        }
        return freedom == 0 ? sigma : Math.Max(sigma, Math.Sqrt(squares / freedom));
    }

    /// <summary>The labels of this climber's candidates, in the order proposed.</summary>
    private IEnumerable<string> Candidates(IReadOnlyList<JournalEntry> journal) => journal
        .Where(e => e.Kind == ResearchJournal.Hypothesis)
        .Select(e => ResearchJournal.ParseHypothesis(e.Text))
        .Where(h => h?.Author == Name)
        .Select(h => h!.Value.Label)
        .Distinct();

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
