using System.Diagnostics;
using System.Text.Json;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace LabBench;

/// <summary>
/// The lab's overhead per run: a study of N identical runs with a wall-clock budget is run by the real scheduler
/// and real <c>plab worker</c> processes, one slot, and everything the lab adds is
/// (wall time of <c>study run</c>) − Σ (wall time inside <c>TrainingRun</c>, from each run's <c>summary.json</c>):
/// scheduling, process start (runtime start-up and JIT included), claiming, streaming metrics and heartbeats to
/// the store, recording the outcome, and noticing the exit.
/// </summary>
internal static class OverheadBenchmark
{
    public static int Run(string plabDll, int runs, double seconds, int slots)
    {
        var folder = Directory.CreateTempSubdirectory("plab-overhead-bench-").FullName;
        try
        {
            var corpus = Path.GetFullPath(Path.Combine("samples", "data", "tinyshakespeare.txt"));
            if (!File.Exists(corpus))
                throw new FileNotFoundException("run from the repository root: samples/data/tinyshakespeare.txt is needed", corpus);
            File.WriteAllText(Path.Combine(folder, "run.yaml"), $"""
                name: overhead
                seed: 1
                model: {"{"}n_layer: 2, n_head: 2, n_embd: 64, block_size: 64, vocab_size: 256{"}"}
                data: {"{"}format: text, path: {corpus}{"}"}
                train: {"{"}batch_size: 8, checkpoint_interval: 200, threads: 1{"}"}
                budget: {"{"}seconds: {seconds}{"}"}
                eval: {"{"}interval: 200, tokens: 4096{"}"}
                """);
            File.WriteAllText(Path.Combine(folder, "study.yaml"), $"name: overhead\nbaseline: run.yaml\nseeds: {runs}\n");
            var location = Path.Combine(folder, "plab.db");
            using var store = LabStore.Open(location);
            var (study, _, _) = StudyPlanner.Create(store, StudyFile.Load(Path.Combine(folder, "study.yaml")), Path.Combine(folder, "runs"));

            var scheduler = new StudyScheduler(store, location, study, new WorkerLauncher("dotnet", [Path.GetFullPath(plabDll)]),
                new SchedulerOptions { Slots = slots, Cores = slots }, log: null);
            var clock = Stopwatch.StartNew();
            var result = scheduler.Run(CancellationToken.None);
            var total = clock.Elapsed.TotalSeconds;

            var finished = store.ListRuns(new RunQuery { StudyId = study.Id });
            var inRun = finished.Select(r => JsonDocument.Parse(File.ReadAllText(Path.Combine(r.RunDirectory, "summary.json"))).RootElement.GetProperty("wall_seconds").GetDouble()).ToList();
            var train = finished.Sum(r => r.TrainSeconds ?? 0);
            var rows = finished.Sum(r => store.GetMetrics(r.Id).Count);
            var overheadPerRun = (total * slots - inRun.Sum()) / runs;
            Console.WriteLine($"{runs} runs of a {seconds} s budget, {slots} slot(s): {string.Join(", ", result.States.Select(s => $"{s.Value} {s.Key.ToName()}"))}");
            Console.WriteLine($"study run wall           {total:F2} s");
            Console.WriteLine($"inside TrainingRun       {inRun.Sum():F2} s (mean {inRun.Average():F2} s per run; {train:F2} s in training steps)");
            Console.WriteLine($"metric rows streamed     {rows:N0} ({rows / runs:N0} per run)");
            Console.WriteLine($"lab overhead per run     {overheadPerRun:F3} s = {100 * overheadPerRun / 30:F2} % of a 30 s run, {100 * overheadPerRun / inRun.Average():F2} % of these runs");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
