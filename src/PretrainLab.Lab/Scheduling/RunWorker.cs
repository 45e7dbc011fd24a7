using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PretrainLab.Engine.Checkpoints;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// What a worker process does for one attempt of one run: claim it in the store, train or resume it in its folder
/// (pausing at its rung, if any), stream metrics and heartbeats, evaluate the test split, and record the outcome.
/// The store is the single source of truth; the lab only schedules and watches.
/// </summary>
public static class RunWorker
{
    /// <summary>The stop request that ends a run as pruned rather than interrupted.</summary>
    public const string PruneRequest = "prune";

    /// <summary>The stop request that puts a run back in the queue with its checkpoint.</summary>
    public const string InterruptRequest = "interrupt";

    /// <summary>
    /// Runs attempt <paramref name="attempt"/> of run <paramref name="runId"/>. Returns the outcome recorded, or null
    /// when the attempt no longer owns the run (another lab or attempt took it), in which case nothing was written.
    /// Training failures are recorded as a failed outcome, not thrown.
    /// </summary>
    /// <exception cref="StoreException">The store cannot be reached to record the outcome.</exception>
    public static RunOutcome? Run(ILabStore store, long runId, long attempt, TimeSpan heartbeat, CancellationToken cancellation)
    {
        var run = store.GetRun(runId) ?? throw new StoreException($"no run with id {runId} in {store.Location}");
        if (!store.ClaimAttempt(runId, attempt, Environment.ProcessId, Environment.MachineName))
            return null;

        var checkpointDir = Path.Combine(run.RunDirectory, TrainingRun.CheckpointFolder);
        using var recorder = new StoreRecorder(store, runId, attempt, checkpointDir, heartbeat);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, recorder.Stopping);
        RunOutcome outcome;
        try
        {
            var summary = Train(store, run, attempt, recorder, stop.Token);
            recorder.Flush();
            outcome = ToOutcome(summary, recorder.StopRequest);
            if (outcome.State == RunState.Finished && SpecOf(store, run).TestData is { } testData)
                outcome = WithTest(outcome, run, testData);
        }
        catch (Exception e) when (e is not StoreException && !recorder.Superseded)
        {
            TryFlush(recorder);
            outcome = new RunOutcome { State = RunState.Failed, Error = Describe(e), Step = store.GetRun(runId)?.Step ?? 0 };
        }
        if (recorder.Superseded)
            return null;
        outcome = outcome with { WallSeconds = Math.Round((DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds, 3) };
        return store.CompleteAttempt(runId, attempt, outcome) ? outcome : null;
    }

    private static RunSummary Train(ILabStore store, RunRecord run, long attempt, StoreRecorder recorder, CancellationToken cancellation)
    {
        var recipe = Recipe.FromJson(run.Recipe ?? throw new InvalidDataException($"run {run.Id} has no recipe"));
        var errors = RecipeValidator.Validate(recipe, checkFiles: true);
        if (errors.Count > 0)
            throw new RecipeException(errors);
        var control = new RunControl { Threads = run.Threads, PauseAtStep = run.TargetStep };
        var checkpointDir = Path.Combine(run.RunDirectory, TrainingRun.CheckpointFolder);
        if (SavedStep(checkpointDir) is not { } step)
        {
            // Nothing usable saved: whatever an earlier attempt streamed is repeated from step 0.
            if (Directory.Exists(checkpointDir))
                Directory.Delete(checkpointDir, recursive: true);
            store.TruncateMetrics(run.Id, attempt, 0);
            return TrainingRun.Train(recipe, run.RunDirectory, recorder, cancellation, control);
        }

        // The checkpoint on disk is the truth; the store is brought to exactly its steps, from the run's own log,
        // which is flushed line by line before any checkpoint is written.
        store.TruncateMetrics(run.Id, attempt, step);
        store.AppendMetrics(run.Id, attempt, LoggedMetrics(Path.Combine(run.RunDirectory, "metrics.jsonl"), step));
        return TrainingRun.Resume(run.RunDirectory, recorder, cancellation, control);
    }

    /// <summary>
    /// The step of the checkpoint in <paramref name="folder"/>, or null when there is none or a kill tore it: the
    /// optimizer file is written before the model file, so a kill between the two leaves them at different steps,
    /// and such a pair cannot resume exactly.
    /// </summary>
    private static long? SavedStep(string folder)
    {
        var model = Path.Combine(folder, Checkpoint.ModelFile);
        var optimizer = Path.Combine(folder, Checkpoint.OptimizerFile);
        if (!File.Exists(model) || !File.Exists(optimizer))
            return null;
        try
        {
            using var m = SafeTensorsReader.Open(model);
            using var o = SafeTensorsReader.Open(optimizer);
            return m.Metadata.GetValueOrDefault("step") is { } step && step == o.Metadata.GetValueOrDefault("step")
                ? long.Parse(step, CultureInfo.InvariantCulture)
                : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static RunOutcome ToOutcome(RunSummary s, string? stopRequest)
    {
        var state = s.Status switch
        {
            "finished" => RunState.Finished,
            "diverged" => RunState.Diverged,
            TrainingRun.PausedStatus => RunState.Paused,
            // Cancelled: pruned by the lab, or interrupted (Ctrl+C, lab shutdown) and resumable.
            _ => stopRequest == PruneRequest ? RunState.Pruned : RunState.Queued,
        };
        return new RunOutcome
        {
            State = state,
            Reason = state switch
            {
                RunState.Pruned => $"stopped early at step {s.Steps}",
                RunState.Queued => $"interrupted at step {s.Steps}; resumes from its checkpoint",
                _ => s.Reason,
            },
            Step = s.Steps,
            Tokens = s.Tokens,
            Flops = s.Flops,
            Parameters = s.Parameters,
            TrainLoss = s.TrainLoss,
            ValLoss = s.ValLoss,
            ValBpb = s.ValBpb,
            TokensPerSecond = s.TokensPerSecond,
            TrainSeconds = s.TrainSeconds,
        };
    }

    private static RunOutcome WithTest(RunOutcome outcome, RunRecord run, string testData)
    {
        try
        {
            var test = CheckpointEvaluation.Run(run.RunDirectory, testData, run.Threads ?? 0);
            return outcome with { TestLoss = test.Loss, TestBpb = test.BitsPerByte };
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            // The run itself is done; a broken test file is reported, not held against it.
            return outcome with { Error = $"test evaluation failed: {e.Message}" };
        }
    }

    private static StudySpec SpecOf(ILabStore store, RunRecord run) =>
        StudySpec.FromJson((store.GetStudy(run.StudyId) ?? throw new StoreException($"run {run.Id} belongs to no study")).Definition);

    /// <summary>The metric points of a run's <c>metrics.jsonl</c> up to <paramref name="step"/> (see <see cref="MetricsLog"/>).</summary>
    public static IReadOnlyList<MetricPoint> LoggedMetrics(string path, long step)
    {
        var points = new List<MetricPoint>();
        if (!File.Exists(path))
            return points;
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                var at = e.GetProperty("step").GetInt64();
                if (at > step)
                    continue;
                points.Add(e.GetProperty("kind").GetString() == "eval"
                    ? new MetricPoint(at, ValLoss: Number(e, "val_loss"), ValBpb: Number(e, "val_bpb"))
                    : new MetricPoint(at, e.GetProperty("tokens").GetInt64(), Number(e, "loss"), TokensPerSecond: Number(e, "tokens_per_second")));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // A line torn by a kill: the steps after the checkpoint are repeated anyway.
            }
        }
        return points;
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static void TryFlush(StoreRecorder recorder)
    {
        try
        {
            recorder.Flush();
        }
        catch (StoreException)
        {
            // The failure being recorded matters more than the last metric points.
        }
    }

    private static string Describe(Exception e) => e switch
    {
        RecipeException r => string.Join("; ", r.Errors),
        OutOfMemoryException => "out of memory",
        _ => e.Message,
    };
}
