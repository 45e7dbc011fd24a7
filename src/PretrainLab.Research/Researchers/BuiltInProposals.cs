using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Researchers;

/// <summary>How the built-in researchers fill free slots: one experiment at a time, drawing again when the study refuses a draw.</summary>
internal static class BuiltInProposals
{
    private const int DrawsPerExperiment = 50;

    /// <summary>
    /// Proposes experiments from <paramref name="draw"/> until about <paramref name="capacity"/> runs are queued. A draw
    /// the study refuses (a repeat, or a combination the recipe rules out) is drawn again; a refusal for the budget
    /// ends the turn, and the researcher when nothing was queued.
    /// </summary>
    public static ResearchTurn Fill(ResearchStudy study, string author, int capacity, int seeds, Func<ExperimentProposal> draw)
    {
        var queued = 0;
        for (var e = 0; e < Math.Max(1, capacity / seeds); e++)
        {
            ProposalResult? result = null;
            for (var attempt = 0; attempt < DrawsPerExperiment && result is not { Accepted: true }; attempt++)
            {
                result = study.Propose([draw() with { Seeds = seeds }], author)[0];
                if (result.OverBudget)
                    return new ResearchTurn(queued, Done: queued == 0, result.Error);
            }
            if (result is not { Accepted: true })
                return new ResearchTurn(queued, Done: queued == 0, $"no acceptable new recipe in {DrawsPerExperiment} draws (last: {result?.Error})");
            queued += result.RunIds.Count;
        }
        return new ResearchTurn(queued);
    }
}
