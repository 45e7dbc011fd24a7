using PretrainLab.Engine.Checkpoints;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Runs;

/// <summary>Loss and bits per byte of a saved model on a whole text file or token shard.</summary>
public static class CheckpointEvaluation
{
    /// <summary>
    /// Evaluates the checkpoint at <paramref name="checkpoint"/> (a run folder, its checkpoint folder,
    /// or a <c>model.safetensors</c> file) on every full window of <paramref name="dataPath"/>, with windows every
    /// <paramref name="stride"/> tokens (0 = the block size: consecutive windows; see <see cref="Evaluator"/>).
    /// </summary>
    public static EvalMetrics Run(string checkpoint, string dataPath, int threads = 0, int stride = 0)
    {
        var dir = ResolveCheckpointFolder(checkpoint);
        var meta = Checkpoint.ReadMetadata(dir);
        if (!meta.TryGetValue("recipe", out var json))
            throw new InvalidDataException($"{dir}: the checkpoint has no recipe in its metadata, so its model shape is unknown");
        var plan = RunPlan.From(Recipe.FromJson(json));
        if (stride < 0 || stride > plan.Model.BlockSize)
            throw new ArgumentException($"--stride {stride}: must be between 1 and the model's block size {plan.Model.BlockSize} (0 = the block size)");
        var owned = new List<IDisposable>();
        try
        {
            var (tokens, tokenBytes) = DataLoader.LoadWhole(dataPath, plan.Model.VocabSize, owned);
            using var model = new GptModel(plan.Model, plan.Options.BatchSize, new Parallelism(threads));
            var state = Checkpoint.Load(dir, model, optimizer: null);
            return new Evaluator(model, stride).Evaluate(tokens, tokenBytes, maxTokens: 0, state.Step);
        }
        finally
        {
            foreach (var d in owned)
                d.Dispose();
        }
    }

    private static string ResolveCheckpointFolder(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
            return Path.GetDirectoryName(full)!;
        var nested = Path.Combine(full, TrainingRun.CheckpointFolder);
        return Directory.Exists(nested) ? nested : full;
    }
}
