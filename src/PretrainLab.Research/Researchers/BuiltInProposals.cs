using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>How the built-in researchers fill free slots: one experiment at a time, drawing again when the study refuses a draw.</summary>
internal static class BuiltInProposals
{
    private const int DrawsPerExperiment = 50;

    /// <summary>
    /// Proposes experiments from <paramref name="draw"/> until every one of the <paramref name="capacity"/> free slots
    /// has a run (with several seeds per experiment, the last experiment's extra runs wait for a slot). A draw the study
    /// refuses (a repeat, or a combination the recipe rules out) is drawn again; a refusal for the budget ends the
    /// turn, and the researcher when nothing was queued.
    /// </summary>
    /// <param name="study">The study proposals go to.</param>
    /// <param name="state">The study at the start of the turn.</param>
    /// <param name="author">The researcher's name, for the journal.</param>
    /// <param name="seed">The researcher's seed.</param>
    /// <param name="capacity">Free run slots.</param>
    /// <param name="seeds">Seeds per experiment.</param>
    /// <param name="draw">
    /// The next experiment, given those this turn has queued so far and the experiment's random stream. The queued ones
    /// are in flight, which a sampler that learns from results must take into account, or the draws of one turn would
    /// all crowd the same point.
    /// </param>
    public static ResearchTurn Fill(
        ResearchStudy study, ResearchState state, string author, int seed, int capacity, int seeds,
        Func<IReadOnlyList<ExperimentProposal>, Random, ExperimentProposal> draw)
    {
        var queued = new List<ExperimentProposal>();
        var runs = 0;
        for (var e = 0; e < Math.Max(1, (capacity + seeds - 1) / seeds); e++)
        {
            // Each experiment draws from its own stream, keyed by the researcher's seed and the variants before it, so
            // the draws depend on neither how the runs' endings grouped into turns nor on restarts.
            var random = new KeyedRandom(seed, state.Variants.Count + queued.Count);
            ProposalResult? result = null;
            ExperimentProposal? proposal = null;
            for (var attempt = 0; attempt < DrawsPerExperiment && result is not { Accepted: true }; attempt++)
            {
                proposal = draw(queued, random) with { Seeds = seeds };
                result = study.Propose([proposal], author)[0];
                if (result.OverBudget)
                    return new ResearchTurn(runs, Done: runs == 0, result.Error);
            }
            if (result is not { Accepted: true })
                return new ResearchTurn(runs, Done: runs == 0, $"no acceptable new recipe in {DrawsPerExperiment} draws (last: {result?.Error})");
            queued.Add(proposal!);
            runs += result.RunIds.Count;
        }
        return new ResearchTurn(runs);
    }
}
