using System.Diagnostics;
using System.Text.Json;
using PretrainLab.Engine.Checkpoints;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Runs;

/// <summary>
/// One run of a recipe in an output folder: <c>recipe.json</c>, <c>metrics.jsonl</c> (streamed),
/// <c>checkpoint/</c> (periodic and final) and <c>summary.json</c>. A run killed at any point can be
/// resumed from its last checkpoint and then follows the uninterrupted trajectory.
/// </summary>
public static class TrainingRun
{
    /// <summary>The checkpoint sub-folder of a run folder.</summary>
    public const string CheckpointFolder = "checkpoint";

    /// <summary>The summary status of a run stopped at <see cref="RunControl.PauseAtStep"/>.</summary>
    public const string PausedStatus = "paused";

    /// <summary>Trains <paramref name="recipe"/> from scratch into <paramref name="outDir"/>.</summary>
    public static RunSummary Train(Recipe recipe, string outDir, ITrainingObserver? progress = null, CancellationToken cancellation = default,
        RunControl? control = null)
    {
        outDir = Path.GetFullPath(outDir);
        if (File.Exists(Path.Combine(outDir, CheckpointFolder, Checkpoint.ModelFile)))
            throw new IOException($"{outDir} already holds a run; resume it with --resume or choose another --out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "recipe.json"), recipe.ToJson());
        File.Delete(Path.Combine(outDir, "metrics.jsonl"));
        return Execute(recipe, outDir, resume: false, progress, cancellation, control ?? new RunControl());
    }

    /// <summary>Continues the run in <paramref name="runDir"/> (a run folder or its checkpoint folder) from its last checkpoint.</summary>
    public static RunSummary Resume(string runDir, ITrainingObserver? progress = null, CancellationToken cancellation = default,
        RunControl? control = null)
    {
        runDir = Path.GetFullPath(runDir);
        if (Path.GetFileName(runDir) == CheckpointFolder && !Directory.Exists(Path.Combine(runDir, CheckpointFolder)))
            runDir = Path.GetDirectoryName(runDir)!;
        var meta = Checkpoint.ReadMetadata(Path.Combine(runDir, CheckpointFolder));
        if (!meta.TryGetValue("recipe", out var json))
            throw new InvalidDataException($"{runDir}: the checkpoint has no recipe in its metadata");
        var recipe = Recipe.FromJson(json);
        var errors = RecipeValidator.Validate(recipe, checkFiles: true);
        if (errors.Count > 0)
            throw new RecipeException(errors);
        return Execute(recipe, runDir, resume: true, progress, cancellation, control ?? new RunControl());
    }

    private static RunSummary Execute(Recipe recipe, string outDir, bool resume, ITrainingObserver? progress, CancellationToken cancellation,
        RunControl control)
    {
        var wall = Stopwatch.StartNew();
        var plan = RunPlan.From(recipe);
        if (control.Threads is { } threads)
            plan = plan with { Threads = threads };
        var owned = new List<IDisposable>();
        try
        {
            var data = DataLoader.Load(recipe.Data, plan.Model.VocabSize, owned);
            var parallelism = new Parallelism(plan.Threads);
            using var model = new GptModel(plan.Model, plan.Options.BatchSize, parallelism);
            using var optimizer = plan.Options.CreateOptimizer(model);
            var checkpointDir = Path.Combine(outDir, CheckpointFolder);
            var metricsPath = Path.Combine(outDir, "metrics.jsonl");
            TrainerState? start = null;
            if (resume)
            {
                start = Checkpoint.Load(checkpointDir, model, optimizer);
                MetricsLog.TruncateAfter(metricsPath, start.Step);
            }
            else
            {
                model.Initialize((ulong)recipe.Seed);
            }

            using var metrics = new MetricsLog(metricsPath);
            // A pause is a cancellation the trainer honours before its next step, after saving a checkpoint.
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            if (control.PauseAtStep is { } pauseAt && (start?.Step ?? 0) >= pauseAt)
                pause.Cancel();
            var recorder = new Recorder(metrics, progress, state => Checkpoint.Save(checkpointDir, model, optimizer, state,
                new Dictionary<string, string> { ["recipe"] = recipe.ToJson(), ["recipe_hash"] = recipe.Hash }),
                step =>
                {
                    if (step >= control.PauseAtStep)
                        pause.Cancel();
                });
            var trainer = new Trainer(model, optimizer, data, plan.Options, recorder);
            var result = trainer.Run(start, pause.Token);
            var paused = result.Status == RunStatus.Cancelled && !cancellation.IsCancellationRequested;
            // A rung is judged on validation at the step it paused.
            if (paused && result.Validation?.Step != result.State.Step)
                result = result with { Validation = trainer.Evaluate(result.State.Step) };
            var summary = new RunSummary
            {
                Name = recipe.Name,
                RecipeHash = recipe.ShortHash,
                Status = paused ? PausedStatus : result.Status.ToString().ToLowerInvariant(),
                Reason = result.Reason,
                Steps = result.State.Step,
                Tokens = result.State.Tokens,
                Flops = result.Flops,
                Parameters = model.Parameters.Count,
                TrainLoss = double.IsFinite(result.State.LastLoss) ? result.State.LastLoss : null,
                ValLoss = result.Validation?.Loss,
                ValBpb = result.Validation?.BitsPerByte,
                TokensPerSecond = Math.Round(result.TokensPerSecond, 1),
                TrainSeconds = Math.Round(result.State.TrainSeconds, 3),
                WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3),
                Threads = parallelism.Threads,
                OutDir = outDir,
            };
            File.WriteAllText(Path.Combine(outDir, "summary.json"),
                JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            return summary;
        }
        finally
        {
            foreach (var d in owned)
                d.Dispose();
        }
    }

    private sealed class Recorder(MetricsLog metrics, ITrainingObserver? next, Action<TrainerState> save, Action<long> stepped) : ITrainingObserver
    {
        public void OnStep(StepMetrics m)
        {
            metrics.Write(m);
            next?.OnStep(m);
            stepped(m.Step);
        }

        public void OnEval(EvalMetrics m)
        {
            metrics.Write(m);
            next?.OnEval(m);
        }

        public void OnCheckpoint(TrainerState state)
        {
            save(state);
            next?.OnCheckpoint(state);
        }
    }
}
