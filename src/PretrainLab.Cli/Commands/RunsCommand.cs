using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab runs list|show|compare</c>.</summary>
internal static class RunsCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Command Create() => new("runs", "Runs in the store: list them, show one, compare two variants over seeds.")
    {
        List(),
        Show(),
        Compare(),
    };

    private static Command List()
    {
        var study = new Option<string?>("--study") { Description = "Only this study's runs." };
        var status = new Option<string?>("--status") { Description = "Only runs in this state (queued, running, finished, diverged, failed, pruned, ...)." };
        var label = new Option<string?>("--label") { Description = "Only this variant." };
        var order = new Option<string?>("--order") { Description = "Order by a metric, best first: val_loss, val_bpb, train_loss, test_loss, test_bpb." };
        var limit = new Option<int?>("--limit") { Description = "At most this many runs." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print a JSON array." };
        var command = new Command("list", "List runs.") { study, status, label, order, limit, store, json };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var lab = LabStore.Open(parse.GetValue(store));
            RunState[]? states = null;
            if (parse.GetValue(status) is { } s)
            {
                try
                {
                    states = [RunStateNames.Parse(s)];
                }
                catch (InvalidDataException e)
                {
                    throw new UsageException(e.Message);
                }
            }
            var runs = lab.ListRuns(new RunQuery
            {
                StudyId = parse.GetValue(study) is { } name ? StoreOption.FindStudy(lab, name).Id : null,
                States = states,
                Label = parse.GetValue(label),
                OrderByMetric = parse.GetValue(order),
                Limit = parse.GetValue(limit),
            });
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(runs, Json));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{"id",6}  {"label",-24} {"seed",6}  {"status",-9} {"step",7}  {"val_loss",9} {"val_bpb",9} {"test_bpb",9} {"wall s",8}  note");
            foreach (var r in runs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Id,6}  {Truncate(r.Label, 24),-24} {r.Seed,6}  {r.State.ToName(),-9} {r.Step,7}  {F(r.ValLoss),9} {F(r.ValBpb),9} {F(r.TestBpb),9} {r.WallSeconds ?? 0,8:F1}  {Truncate(r.Reason ?? r.Error ?? "", 60)}"));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<long>("id") { Description = "The run id." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the run and its metric series." };
        var command = new Command("show", "Show one run: recipe, status, timings, metrics, checkpoint.") { id, store, json };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var lab = LabStore.Open(parse.GetValue(store));
            var run = lab.GetRun(parse.GetValue(id)) ?? throw new UsageException($"no run with id {parse.GetValue(id)} in {lab.Location}");
            var metrics = lab.GetMetrics(run.Id);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { run, metrics }, Json));
                return ExitCodes.Ok;
            }
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine($"run {run.Id}: {run.Label} seed {run.Seed} in study {lab.GetStudy(run.StudyId)?.Name}");
            Console.WriteLine($"status     {run.State.ToName()}{(run.Reason is null ? "" : $": {run.Reason}")}");
            if (run.Error is not null)
                Console.WriteLine($"error      {run.Error}");
            Console.WriteLine($"recipe     {run.RecipeHash} (variant {run.ConfigHash}){(run.Knobs.Count == 0 ? "" : $"; {string.Join(", ", run.Knobs.Select(k => $"{k.Key}={k.Value}"))}")}");
            Console.WriteLine(string.Create(c, $"progress   step {run.Step}/{run.TargetStep ?? run.TotalSteps}, rung {run.Rung}, attempt {run.Attempt}"));
            Console.WriteLine(string.Create(c, $"metrics    val loss {F(run.ValLoss)}   val bpb {F(run.ValBpb)}   train loss {F(run.TrainLoss)}   test loss {F(run.TestLoss)}   test bpb {F(run.TestBpb)}"));
            Console.WriteLine(string.Create(c, $"compute    {run.Tokens ?? 0:N0} tokens, {run.Flops ?? 0:E3} FLOPs, {run.TokensPerSecond ?? 0:N0} tokens/s, {run.TrainSeconds ?? 0:F1} s training, {run.WallSeconds ?? 0:F1} s wall"));
            Console.WriteLine($"times      created {run.CreatedAt:u}, started {run.StartedAt:u}, finished {run.FinishedAt:u}, heartbeat {run.HeartbeatAt:u}");
            Console.WriteLine($"folder     {run.RunDirectory}");
            Console.WriteLine($"checkpoint {run.CheckpointPath ?? "none"}{(run.CheckpointStep is { } s ? $" (step {s})" : "")}");
            var evals = metrics.Where(p => p.ValLoss is not null).ToList();
            Console.WriteLine($"series     {metrics.Count} steps, {evals.Count} evaluations");
            foreach (var p in evals)
                Console.WriteLine(string.Create(c, $"  step {p.Step,7}  val loss {F(p.ValLoss)}  val bpb {F(p.ValBpb)}  train loss {F(p.TrainLoss)}"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Compare()
    {
        var a = new Argument<string>("a") { Description = "The reference: a run id or a variant label (all its seeds)." };
        var b = new Argument<string>("b") { Description = "The change: a run id or a variant label (all its seeds)." };
        var study = new Option<string?>("--study") { Description = "The study labels belong to (default: the run's, or the only study)." };
        var metric = new Option<string?>("--metric") { Description = "The validation metric (default: the study's objective)." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("compare", "The effect of B against A over seeds, with a 95 % interval, against the noise floor.")
        {
            a, b, study, metric, store, json,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var lab = LabStore.Open(parse.GetValue(store));
            var studyRecord = parse.GetValue(study) is { } name ? StoreOption.FindStudy(lab, name) : null;
            RunComparison comparison;
            try
            {
                comparison = RunComparison.Compare(lab, studyRecord, parse.GetValue(a)!, parse.GetValue(b)!, parse.GetValue(metric));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(comparison));
                return ExitCodes.Ok;
            }
            var v = comparison.Validation;
            Console.WriteLine($"study {comparison.Study}: {v.Variant} against {v.Baseline} on {v.Metric} (lower is better; the validation split decides)");
            PrintEffect(v);
            var noise = comparison.NoiseFloor;
            Console.WriteLine(noise.Sigma is { } sigma
                ? string.Create(CultureInfo.InvariantCulture, $"  noise floor: σ {sigma:F4} over {noise.Seeds} seeds of {noise.Label}; clearing it needs |effect| > {2 * sigma:F4} and an interval without 0")
                : $"  noise floor: unknown ({noise.Label} has {noise.Seeds} finished seed(s); replicate it over at least 2)");
            Console.WriteLine($"  verdict: {v.Verdict}");
            if (comparison.Test is { } t)
            {
                Console.WriteLine($"{t.Metric} (test split, reported only):");
                PrintEffect(t);
                Console.WriteLine($"  verdict: {t.Verdict}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void PrintEffect(Effect e)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"  {e.Baseline}: {e.BaselineCount} seeds, mean {F(e.BaselineMean)}"));
        Console.WriteLine(string.Create(c, $"  {e.Variant}: {e.VariantCount} seeds, mean {F(e.VariantMean)}"));
        if (e.Difference is not { } d)
            return;
        var ci = e.Low is { } lo && e.High is { } hi
            ? string.Create(c, $", {e.Confidence:P0} CI [{lo:+0.0000;-0.0000}, {hi:+0.0000;-0.0000}] ({(e.Paired ? "paired by seed" : "Welch")}, df {e.DegreesOfFreedom:0.#})")
            : ", no interval (too few seeds)";
        Console.WriteLine(string.Create(c, $"  effect {d:+0.0000;-0.0000} ({e.RelativePercent:+0.00;-0.00} %){ci}"));
    }

    private static string F(double? value) => value?.ToString("F4", CultureInfo.InvariantCulture) ?? "-";

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
