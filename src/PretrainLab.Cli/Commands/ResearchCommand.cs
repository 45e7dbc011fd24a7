using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Reports;
using PretrainLab.Research.Researchers;
using PretrainLab.Research.Studies;

namespace PretrainLab.Cli.Commands;

/// <summary>
/// <c>plab research AGENDA</c>: runs the agenda's study to its budget with a researcher proposing experiments, shows
/// progress as it goes, and ends with the report. Killed at any point, the same command continues the study.
/// </summary>
internal static class ResearchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var agendaFile = new Argument<string>("agenda") { Description = "The research agenda: Markdown with YAML front matter (objective, baseline, knobs, budget)." };
        var researcher = new Option<string?>("--researcher")
        {
            Description = "Who proposes experiments: llm, tpe, hillclimb or random (default: llm when ANTHROPIC_API_KEY or OPENAI_BASE_URL is set, else tpe).",
        };
        researcher.AcceptOnlyFromAmong([.. ResearcherFactory.Names]);
        var model = new Option<string?>("--model") { Description = "The LLM researcher's model (default: the agenda's, else " + LlmSettings.DefaultModel + ")." };
        var scheduling = new SchedulerArguments("Runs trained at once, each in its own process.", "Cores to fill (default: all).", staleAfter: true);
        var seed = new Option<int>("--seed") { Description = "Seeds the built-in researchers' draws.", DefaultValueFactory = _ => 0 };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Folder for the run folders (default: runs/<study name>)." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of Markdown." };
        var output = new Option<string?>("--out") { Description = "Also write the report to this file." };
        var command = new Command("research", "Research an agenda: a researcher proposes experiments, the lab trains and compares them, to the budget; ends with a report.")
        {
            agendaFile, researcher, model, seed, runsDir, store, json, output,
        };
        scheduling.AddTo(command);
        // On the thread pool, so that Ctrl+C reaches the loop (see StudyCommand).
        command.SetAction((parse, cancellation) => Task.Run(() => CommandErrors.Run(() =>
        {
            var options = scheduling.Read(parse);
            var agenda = AgendaFile.Load(parse.GetValue(agendaFile)!);
            if (parse.GetValue(model) is { } m)
                agenda = agenda with { Researcher = agenda.Researcher with { Model = m } };
            var name = parse.GetValue(researcher) ?? ResearcherFactory.DefaultName;
            IResearcher chosen;
            try
            {
                chosen = ResearcherFactory.Create(name, agenda.Researcher, parse.GetValue(seed), Console.Error);
            }
            catch (InvalidOperationException e)
            {
                throw new UsageException(e.Message);
            }

            var location = LabStore.Resolve(parse.GetValue(store));
            using var lab = LabStore.Open(location);
            var study = ResearchStudy.Open(lab, agenda, parse.GetValue(runsDir) ?? Path.Combine("runs", agenda.Name));
            Console.Error.WriteLine($"research {agenda.Name}: researcher {chosen.Name}, {options.Slots} slots, store {lab.Location}");
            var loop = new ResearchLoop(study, chosen, location, PlabExecutable.Launcher(), options, Console.Error, Show);
            var outcome = loop.Run(cancellation);
            if (outcome.Interrupted)
            {
                Console.Error.WriteLine($"interrupted; run the same command again to continue study {agenda.Name}");
                return ExitCodes.Cancelled;
            }
            if (outcome.Reason is { } reason)
                Console.Error.WriteLine($"{chosen.Name} stopped proposing: {reason}");
            var report = ResearchReport.Of(study);
            var text = parse.GetValue(json) ? JsonSerializer.Serialize(report, Indented) + "\n" : ResearchReportMarkdown.Write(report);
            if (parse.GetValue(output) is { } path)
                File.WriteAllText(path, text);
            Console.Write(text);
            return ExitCodes.Ok;
        })));
        return command;
    }

    private static void Show(ResearchProgress p)
    {
        var leader = p.Leader is null ? "" : $" | best {p.Leader}";
        var finding = p.Finding is null ? "" : $" | finding: {Clip(p.Finding, 100)}";
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{p.Phase}] {p.Done} runs done, {p.Pending} in flight | budget {p.Budget.Fraction:P0} ({p.Budget.Describe()}){leader}{finding}"));
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
