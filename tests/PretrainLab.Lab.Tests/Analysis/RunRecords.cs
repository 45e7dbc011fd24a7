using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Tests.Analysis;

/// <summary>Stored runs made up for analysis tests.</summary>
internal static class RunRecords
{
    private static long _id;

    public static RunRecord Finished(string label, long seed, double valBpb, IReadOnlyDictionary<string, string>? knobs = null, RunState state = RunState.Finished) => new()
    {
        Id = Interlocked.Increment(ref _id),
        StudyId = 1,
        Label = label,
        Seed = seed,
        ConfigHash = label,
        RecipeHash = $"{label}-{seed}",
        Knobs = knobs ?? new Dictionary<string, string>(),
        RunDirectory = "/runs",
        State = state,
        CreatedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(_id),
        ValBpb = valBpb,
        ValLoss = valBpb * Math.Log(2),
        Flops = 1e9,
        WallSeconds = 2,
    };
}
