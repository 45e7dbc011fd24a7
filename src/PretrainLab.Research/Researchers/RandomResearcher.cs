using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>
/// Random search: every experiment is a uniform draw from the agenda's knob space, independent of the runs in flight
/// (concurrent draws differ by chance, and the study refuses a repeat). The yardstick for the others.
/// </summary>
/// <param name="seed">Seeds the draws; the k-th experiment's depend only on it and k, so a study draws the same sequence however its runs end and restart.</param>
public sealed class RandomResearcher(int seed = 0) : IResearcher
{
    /// <inheritdoc/>
    public string Name => "random";

    /// <inheritdoc/>
    public Task<ResearchTurn> ActAsync(ResearchStudy study, ResearchState state, int capacity, CancellationToken cancellation)
    {
        var space = new KnobSpace(study);
        return Task.FromResult(BuiltInProposals.Fill(study, state, Name, seed, capacity, study.Agenda.Seeds.Experiment, (_, random) =>
        {
            var values = space.Sample(random);
            return new ExperimentProposal($"random draw: {Describe(space.Changes(values))}", space.Changes(values));
        }));
    }

    internal static string Describe(IReadOnlyDictionary<string, string> changes) =>
        changes.Count == 0 ? "the baseline" : string.Join(", ", changes.Select(c => $"{c.Key}={c.Value}"));
}
