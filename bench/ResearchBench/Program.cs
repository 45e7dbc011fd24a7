using System.Diagnostics;
using System.Globalization;
using System.Text;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Researchers;
using PretrainLab.Research.Studies;
using ResearchBench;

// bench/ResearchBench: the built-in researchers against random search at equal compute, real training.
//   dotnet build -c Release src/PretrainLab.Cli
//   dotnet run -c Release --project bench/ResearchBench -- --plab src/PretrainLab.Cli/bin/Release/net10.0/plab.dll
//       [--agenda bench/research/agenda.md] [--repeats 3] [--researchers random,tpe,hillclimb] [--slots 2] [--out FILE]
//       [--keep DIR]   keep every study's store and runs under DIR (else a temporary folder, deleted at the end); a
//                      study already kept there is continued as plab research would (read alone, when it is done)
// Every study gets the agenda's budget (runs of equal training FLOPs); each repeat r runs every researcher with seed r
// in its own store. It reports each researcher's best validation bpb and the compute it needed to reach random
// search's final best in the same repeat.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var plab = Path.GetFullPath(Arg("--plab") ?? throw new ArgumentException("--plab PATH/plab.dll is required"));
var agenda = AgendaFile.Load(Arg("--agenda") ?? "bench/research/agenda.md");
var repeats = int.Parse(Arg("--repeats") ?? "3", CultureInfo.InvariantCulture);
var researchers = (Arg("--researchers") ?? "random,tpe,hillclimb").Split(',');
var slots = int.Parse(Arg("--slots") ?? "2", CultureInfo.InvariantCulture);
var output = Arg("--out");
var keep = Arg("--keep");
if (researchers[0] != "random")
    throw new ArgumentException("random must come first: it is the yardstick");

var curves = new List<StudyCurve>();
var root = keep is not null ? Directory.CreateDirectory(keep).FullName : Directory.CreateTempSubdirectory("plab-research-bench-").FullName;
try
{
    for (var repeat = 1; repeat <= repeats; repeat++)
    {
        foreach (var name in researchers)
        {
            var folder = Path.Combine(root, $"{name}-{repeat}");
            Directory.CreateDirectory(folder);
            var location = Path.Combine(folder, LabStore.DefaultFileName);
            using var store = LabStore.Open(location);
            var clock = Stopwatch.StartNew();
            var runs = Finished(store) ?? Research(store, name, repeat, location, Path.Combine(folder, "runs"));
            var points = StudyAnalysis.ComputeCurve(runs, agenda.Objective.Metric).Select(p => (p.Flops, p.Best)).ToList();
            var curve = new StudyCurve(name, repeat, points, clock.Elapsed.TotalSeconds);
            curves.Add(curve);
            Console.Error.WriteLine($"repeat {repeat} {name}: best {curve.Final:F4} after {points.Count} runs, {curve.Total:E2} FLOPs, {curve.WallSeconds:F0} s");
        }
    }
}
finally
{
    if (keep is null)
        Directory.Delete(root, recursive: true);
}

// A kept study that spent the agenda's run budget, every run ended: read, not rerun. Training is deterministic for a
// recipe and seed within one engine build, and so are random search's draws, so its studies can be kept from an
// earlier measurement with the same build (another build's rounding moves unstable runs; bench/README.md). The store
// may come from another checkout (whose baseline recipe names another data path), so it is not reopened as a
// research study. Null when there is no such study.
IReadOnlyList<RunRecord>? Finished(ILabStore store)
{
    var stored = store.FindStudy(agenda.Name);
    var runs = stored is null ? [] : store.ListRuns(new RunQuery { StudyId = stored.Id });
    return agenda.Budget.Runs is { } budget && runs.Count >= budget && runs.All(r => r.State.IsFinal()) ? runs : null;
}

// Runs (or continues) the study of researcher `name` with seed `repeat` to its budget.
IReadOnlyList<RunRecord> Research(ILabStore store, string name, int repeat, string location, string runsDirectory)
{
    var study = ResearchStudy.Open(store, agenda, runsDirectory);
    var loop = new ResearchLoop(study, ResearcherFactory.Create(name, agenda.Researcher, repeat, null), location,
        new WorkerLauncher("dotnet", [plab]), new SchedulerOptions { Slots = slots, Cores = Math.Max(slots, Environment.ProcessorCount) }, null, null);
    return loop.Run(CancellationToken.None).State.Runs;
}

var report = new StringBuilder();
report.Append(CultureInfo.InvariantCulture, $"Agenda {agenda.Source}: {agenda.Budget.Runs} runs of {agenda.PerRun.FirstOrDefault()} per study, {repeats} repeats, {slots} slots.\n\n");
report.Append("| researcher | best val_bpb, mean ± sd | per repeat | compute to reach random's final best (share of the budget), per repeat | mean share | median share | within half |\n");
report.Append("|---|---|---|---|---|---|---|\n");
foreach (var name in researchers)
{
    var mine = curves.Where(c => c.Researcher == name).OrderBy(c => c.Repeat).ToList();
    var finals = mine.Select(c => c.Final).ToList();
    var shares = mine.Select(c =>
    {
        var target = curves.Single(r => r.Researcher == "random" && r.Repeat == c.Repeat).Final;
        return c.FlopsToReach(target) is { } flops ? flops / c.Total : (double?)null;
    }).ToList();
    var reached = shares.OfType<double>().ToList();
    var mean = reached.Count == shares.Count ? $"{reached.Average():P0}" : $"{(reached.Count == 0 ? "-" : $"{reached.Average():P0}")} ({shares.Count - reached.Count} of {shares.Count} never reached it)";
    // The mean is over the repeats that reached it, so it hides the others; the median counts "never" as more than the
    // whole budget, and "within half" counts the repeats that met the target.
    var middle = Statistics.Median(shares.Select(s => s ?? double.PositiveInfinity));
    var median = double.IsPositiveInfinity(middle) ? "never" : $"{middle:P0}";
    report.Append(CultureInfo.InvariantCulture,
        $"| {name} | {finals.Average():F4} ± {Statistics.StandardDeviation(finals) ?? 0:F4} | {string.Join(", ", finals.Select(f => f.ToString("F4", CultureInfo.InvariantCulture)))} | {string.Join(", ", shares.Select(s => s is { } x ? $"{x:P0}" : "never"))} | {mean} | {median} | {shares.Count(s => s <= 0.5)} of {shares.Count} |\n");
}

// The same question asked of the averages: each researcher's best so far, averaged over the repeats at every hundredth
// of the budget, against random search's average final best. Per repeat, the yardstick is one study's luckiest run;
// the mean curves compare what each researcher can be expected to reach.
var grid = Enumerable.Range(1, 100).Select(i => i / 100.0).ToList();
double MeanAt(string name, double share) => curves.Where(c => c.Researcher == name).Select(c => c.BestAt(share)).Average();
var yardstick = MeanAt("random", 1);
report.Append(CultureInfo.InvariantCulture, $"\nMean over the repeats of the best so far; random search's mean final best is {yardstick:F4}.\n\n");
report.Append("| researcher | at 25 % of the budget | at 50 % | at 100 % | compute for the mean to reach random's mean final best |\n|---|---|---|---|---|\n");
foreach (var name in researchers)
{
    // NaN (a repeat without a finished run yet) compares false, so it never counts as reaching the yardstick.
    var reach = grid.FirstOrDefault(s => MeanAt(name, s) <= yardstick);
    report.Append(CultureInfo.InvariantCulture,
        $"| {name} | {MeanAt(name, 0.25):F4} | {MeanAt(name, 0.5):F4} | {MeanAt(name, 1):F4} | {(reach > 0 ? $"{reach:P0}" : "never")} |\n");
}
Console.Write(report);
if (output is not null)
    File.WriteAllText(output, report.ToString());
return 0;
