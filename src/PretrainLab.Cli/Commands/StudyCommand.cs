using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab study new|run|status|report</c>; <c>study new --agenda</c> creates a research study.</summary>
internal static class StudyCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create() => new("study", "Studies: many runs of variants over seeds, scheduled, compared and reported.")
    {
        New(),
        Run(),
        Status(),
        Report(),
    };

    private static Command New()
    {
        var file = new Argument<string?>("file")
        {
            Description = "Study file (YAML): name, baseline, seeds, variants or grid or recipes, budget, halving.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var agenda = new Option<string?>("--agenda")
        {
            Description = "Create a research study from this agenda (Markdown with YAML front matter) instead of a study file: its baseline runs are queued, and plab research, plab mcp or plab study run drive it.",
        };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Folder for the run folders (default: runs/<study name>)." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("new", "Create a study and queue its runs (nothing is trained yet).") { file, agenda, runsDir, store, json };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var path = parse.GetValue(file);
            var agendaPath = parse.GetValue(agenda);
            if ((path is null) == (agendaPath is null))
                throw new UsageException("give a study file or --agenda AGENDA (one of them)");
            if (agendaPath is not null)
                return NewResearch(agendaPath, parse.GetValue(runsDir), parse.GetValue(store), parse.GetValue(json));
            var spec = StudyFile.Load(path!);
            using var lab = LabStore.Open(parse.GetValue(store));
            (var study, spec, var runs) = StudyPlanner.Create(lab, spec, parse.GetValue(runsDir) ?? Path.Combine("runs", spec.Name));
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { study = study.Name, id = study.Id, runs = runs.Count, variants = spec.Variants.Count, seeds = spec.Seeds, store = lab.Location }));
            else
                Console.WriteLine($"created study {study.Name}: {spec.Variants.Count} variants x {spec.Seeds.Count} seeds = {runs.Count} runs queued in {lab.Location}\nrun it with: plab study run {study.Name}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary><c>plab study new --agenda FILE</c>: the research study as <c>plab research</c> would create it, nothing trained.</summary>
    private static int NewResearch(string agendaPath, string? runsDir, string? storeName, bool json)
    {
        var agenda = AgendaFile.Load(agendaPath);
        using var lab = LabStore.Open(storeName);
        var study = ResearchStudy.Create(lab, agenda, runsDir ?? Path.Combine("runs", agenda.Name));
        var seeds = study.SeedsFor(agenda.Seeds.Noise);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                study = study.Study.Name, id = study.Study.Id, runs = seeds.Count, variants = 1, seeds, store = lab.Location, agenda = agenda.Source,
            }));
        }
        else
        {
            Console.WriteLine(
                $"created research study {study.Study.Name} from {agenda.Source}: the baseline over {seeds.Count} seeds = {seeds.Count} runs queued in {lab.Location}\n" +
                $"research it with: plab research {agendaPath}   (or serve it: plab mcp --study {study.Study.Name}; train only the queued runs: plab study run {study.Study.Name})");
        }
        return ExitCodes.Ok;
    }

    private static Command Run()
    {
        var name = new Argument<string?>("study") { Description = "The study (default: the store's only study).", Arity = ArgumentArity.ZeroOrOne };
        var scheduling = new SchedulerArguments("Runs trained at once, each in its own process.",
            "Cores to fill (default: all); a run with train.threads 0 gets cores/slots.", staleAfter: true);
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the outcome instead of a line." };
        var command = new Command("run", "Train the study's queued runs in worker processes until all are done; resumes orphaned runs.")
        {
            name, store, json,
        };
        scheduling.AddTo(command);
        // On the thread pool: System.CommandLine installs its Ctrl+C handler only once the action has returned its
        // task, so work done before returning could not be cancelled, only killed.
        command.SetAction((parse, cancellation) => Task.Run(() => CommandErrors.Run(() =>
        {
            var options = scheduling.Read(parse);
            var location = LabStore.Resolve(parse.GetValue(store));
            using var lab = LabStore.Open(location);
            var study = StoreOption.FindStudy(lab, parse.GetValue(name));
            var scheduler = new StudyScheduler(lab, location, study, PlabExecutable.Launcher(), options, Console.Error);
            var result = scheduler.Run(cancellation);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    study = study.Name,
                    interrupted = result.Interrupted,
                    runs = result.States.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToName(), s => s.Value),
                    workers_started = result.Launched,
                    runs_recovered = result.Recovered,
                }));
            }
            else
            {
                Console.WriteLine($"study {study.Name}: {string.Join(", ", result.States.OrderBy(s => s.Key).Select(s => $"{s.Value} {s.Key.ToName()}"))}; {result.Launched} workers started, {result.Recovered} runs recovered");
            }
            return result.Interrupted ? ExitCodes.Cancelled : ExitCodes.Ok;
        })));
        return command;
    }

    private static Command Status()
    {
        var name = new Argument<string?>("study") { Description = "The study (default: the store's only study).", Arity = ArgumentArity.ZeroOrOne };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("status", "Where a study stands: runs by state, live progress, best so far.") { name, store, json };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var lab = LabStore.Open(parse.GetValue(store));
            var study = StoreOption.FindStudy(lab, parse.GetValue(name));
            var spec = StudySpec.FromJson(study.Definition);
            var runs = lab.ListRuns(new RunQuery { StudyId = study.Id });
            var counts = runs.GroupBy(r => r.State).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToName(), g => g.Count());
            var active = runs.Where(r => r.State.IsActive()).ToList();
            var best = runs.Where(r => r.State == RunState.Finished && r.Metric(spec.Objective) is not null).MinBy(r => r.Metric(spec.Objective));
            var now = DateTimeOffset.UtcNow;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    study = study.Name,
                    objective = spec.Objective,
                    runs = counts,
                    active = active.Select(r => new { id = r.Id, label = r.Label, seed = r.Seed, step = r.Step, target_step = r.TargetStep ?? r.TotalSteps, heartbeat_age_seconds = (now - (r.HeartbeatAt ?? now)).TotalSeconds, pid = r.WorkerPid, attempt = r.Attempt }),
                    best = best is null ? null : new { id = best.Id, label = best.Label, seed = best.Seed, value = best.Metric(spec.Objective) },
                }));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"study {study.Name} (objective {spec.Objective}, baseline {spec.Baseline}) in {lab.Location}");
            Console.WriteLine($"runs: {string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"))}");
            foreach (var r in active)
            {
                var age = r.HeartbeatAt is { } h ? string.Create(CultureInfo.InvariantCulture, $"{(now - h).TotalSeconds:F1} s ago") : "none";
                Console.WriteLine($"  run {r.Id} {r.Label} seed {r.Seed}: {r.State.ToName()} step {r.Step}/{r.TargetStep ?? r.TotalSteps}, attempt {r.Attempt}, pid {r.WorkerPid}, heartbeat {age}");
            }
            if (best is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best: {best.Label} seed {best.Seed} {spec.Objective} {best.Metric(spec.Objective):F4} (run {best.Id})"));
            foreach (var entry in lab.GetJournal(study.Id).TakeLast(5))
                Console.WriteLine($"  {entry.At.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {entry.Text}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Report()
    {
        var name = new Argument<string?>("study") { Description = "The study (default: the store's only study).", Arity = ArgumentArity.ZeroOrOne };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Write JSON instead of Markdown." };
        var output = new Option<string?>("--out") { Description = "Write the report to this file instead of stdout." };
        var command = new Command("report", "The study's report: noise floor, leaderboard with effects and intervals, knob importance, best so far against compute.")
        {
            name, store, json, output,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var lab = LabStore.Open(parse.GetValue(store));
            var report = StudyAnalysis.Report(lab, StoreOption.FindStudy(lab, parse.GetValue(name)));
            var text = parse.GetValue(json) ? JsonSerializer.Serialize(report, Indented) + "\n" : StudyReportMarkdown.Write(report);
            if (parse.GetValue(output) is { } path)
                File.WriteAllText(path, text);
            else
                Console.Write(text);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
