using System.Diagnostics;
using Npgsql;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;

namespace LabBench;

/// <summary>
/// Fills a store with N runs (100 variants × N/100 seeds) and P metric points each through the store API, as workers
/// would, then times the queries behind <c>plab runs list</c>, <c>runs show</c> and <c>runs compare</c>.
/// </summary>
internal static class StoreBenchmark
{
    private const int Variants = 100;
    private const int Repeats = 20;

    public static int Run(string? location, int runs, int points)
    {
        string? folder = null;
        string? schema = null;
        if (location is null)
        {
            folder = Directory.CreateTempSubdirectory("plab-store-bench-").FullName;
            location = Path.Combine(folder, "plab.db");
        }
        else if (PostgresLabStore.IsConnectionString(location))
        {
            // A schema of its own, dropped at the end, so the benchmark never touches existing data.
            schema = $"plab_bench_{Environment.ProcessId}";
            Admin(location, $"CREATE SCHEMA {schema}");
            location = new NpgsqlConnectionStringBuilder(location) { SearchPath = schema }.ToString();
        }
        try
        {
            using var store = LabStore.Open(location);
            Console.WriteLine($"store {store.Location}: {runs:N0} runs x {points:N0} points = {(long)runs * points:N0} metric points");
            var study = Fill(store, runs, points);
            if (folder is not null)
            {
                var bytes = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
                Console.WriteLine($"SQLite files: {bytes / 1e6:F0} MB");
            }

            Console.WriteLine();
            // CPU time is shown beside wall time: on a shared machine the wall time includes waiting for a core.
            Console.WriteLine($"load average before queries: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
            Console.WriteLine("| query | median ms | p95 ms | median CPU ms | rows |");
            Console.WriteLine("|---|---|---|---|---|");
            var someRun = store.ListRuns(new RunQuery { StudyId = study.Id, Label = "v042", Limit = 1 })[0].Id;
            Time("runs list --order val_bpb --limit 50", () => store.ListRuns(new RunQuery { StudyId = study.Id, OrderByMetric = "val_bpb", Limit = 50 }).Count);
            Time("runs list (all runs of the study)", () => store.ListRuns(new RunQuery { StudyId = study.Id }).Count);
            Time("runs list --status finished --limit 100", () => store.ListRuns(new RunQuery { StudyId = study.Id, States = [RunState.Finished], Limit = 100 }).Count);
            Time("runs list --label v042", () => store.ListRuns(new RunQuery { StudyId = study.Id, Label = "v042" }).Count);
            Time("runs compare v000 v042 (all seeds, with CI)", () => RunComparison.Compare(store, study, "v000", "v042", null).Validation.VariantCount);
            Time("runs compare <id> <id>", () => RunComparison.Compare(store, null, "1", someRun.ToString(System.Globalization.CultureInfo.InvariantCulture), null).Validation.VariantCount);
            Time("runs show <id> (run + its series)", () => store.GetRun(someRun)!.Recipe!.Length > 0 ? store.GetMetrics(someRun).Count : 0);
            Time("scheduler poll (active runs)", () => store.ListRuns(new RunQuery { StudyId = study.Id, States = [RunState.Queued, RunState.Starting, RunState.Running] }).Count);
            return 0;
        }
        finally
        {
            if (folder is not null)
                Directory.Delete(folder, recursive: true);
            if (schema is not null)
                Admin(location, $"DROP SCHEMA {schema} CASCADE");
        }
    }

    private static StudyRecord Fill(ILabStore store, int runs, int points)
    {
        var recipe = RecipeLoader.Parse("model: {n_layer: 2, n_embd: 64}\ndata: {path: corpus.txt}\nbudget: {steps: 1000}", "/data", checkFiles: false);
        var study = store.CreateStudy(new NewStudy("bench", "val_bpb", """{"name":"bench","seeds":[1],"baseline":"v000","variants":[]}""", "/runs"));
        var random = new Random(42);
        var clock = Stopwatch.StartNew();
        var seeds = runs / Variants;
        var added = new List<RunRecord>();
        for (var v = 0; v < Variants; v++)
        {
            var label = $"v{v:000}";
            var lr = 1e-3 * (1 + v / 10.0);
            var knobs = new Dictionary<string, string> { ["optim.lr"] = lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
            added.AddRange(store.AddRuns(study.Id, Enumerable.Range(1, seeds)
                .Select(s => new NewRun(label, recipe with { Seed = s, Optim = recipe.Optim with { Lr = lr } }, knobs, $"/runs/{label}-{s}"))
                .ToList()));
        }
        var addSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var batch = new MetricPoint[points];
        foreach (var run in added)
        {
            var attempt = store.BeginAttempt(run.Id, run.Attempt, 1, "bench")!.Value;
            store.ClaimAttempt(run.Id, attempt, Environment.ProcessId, "bench");
            var quality = 2.0 + 0.002 * int.Parse(run.Label[1..], System.Globalization.CultureInfo.InvariantCulture) + 0.01 * random.NextDouble();
            for (var i = 0; i < points; i++)
            {
                var step = i + 1;
                var loss = quality + 3.0 / Math.Sqrt(step);
                batch[i] = new MetricPoint(step, step * 512L, loss, step % 100 == 0 ? loss * 0.99 : null, step % 100 == 0 ? loss * 1.43 : null, 20000 + random.Next(1000));
            }
            store.AppendMetrics(run.Id, attempt, batch);
            store.CompleteAttempt(run.Id, attempt, new RunOutcome
            {
                State = RunState.Finished, Step = points, Tokens = points * 512L, Flops = 1e12, TrainLoss = quality,
                ValLoss = quality * 0.99, ValBpb = quality * 1.43, TokensPerSecond = 20000, TrainSeconds = 30, WallSeconds = 31,
            });
        }
        var fillSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"added {runs:N0} runs in {addSeconds:F1} s; wrote {(long)runs * points:N0} points in {fillSeconds:F0} s " +
            $"({(long)runs * points / fillSeconds:N0} points/s, {runs / fillSeconds:F0} runs/s each with claim, 1 batch and an outcome)");
        return study;
    }

    private static void Time(string what, Func<int> query)
    {
        var rows = 0;
        for (var i = 0; i < 3; i++)
            rows = query();
        var times = new double[Repeats];
        var cpu = new double[Repeats];
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < Repeats; i++)
        {
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            query();
            times[i] = clock.Elapsed.TotalMilliseconds;
            self.Refresh();
            cpu[i] = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        }
        Array.Sort(times);
        Array.Sort(cpu);
        Console.WriteLine($"| {what} | {times[Repeats / 2]:F1} | {times[(int)(Repeats * 0.95) - 1]:F1} | {cpu[Repeats / 2]:F0} | {rows:N0} |");
    }

    private static void Admin(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
