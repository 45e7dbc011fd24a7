using System.CommandLine;
using PretrainLab.Cli.Mcp;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Cli.Commands;

/// <summary>
/// <c>plab mcp [AGENDA]</c>: serves a research study over MCP on stdio, for Claude Code or any MCP client to act as
/// its researcher. With an agenda the study is opened or created as by <c>plab research</c>; without one, the store's
/// research study (or <c>--study</c>) is served. Stdout carries the protocol only; events go to stderr.
/// </summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var agendaFile = new Argument<string?>("agenda") { Description = "The research agenda (default: a research study already in the store).", Arity = ArgumentArity.ZeroOrOne };
        var studyName = new Option<string?>("--study") { Description = "The research study to serve when no agenda is given." };
        var slots = new Option<int>("--slots") { Description = "Runs trained at once by start_runs.", DefaultValueFactory = _ => 1 };
        var cores = new Option<int>("--cores") { Description = "Cores to fill (default: all).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Folder for the run folders (default: runs/<study name>)." };
        var heartbeat = new Option<double>("--heartbeat") { Description = "Seconds between a worker's heartbeats.", DefaultValueFactory = _ => 1, Hidden = true };
        var poll = new Option<double>("--poll") { Description = "Seconds between the lab's looks at the store.", DefaultValueFactory = _ => 0.25, Hidden = true };
        var store = StoreOption.Create();
        var command = new Command("mcp", "Serve a research study over MCP (stdio) so that Claude Code can act as the researcher.")
        {
            agendaFile, studyName, slots, cores, runsDir, heartbeat, poll, store,
        };
        command.SetAction((parse, cancellation) => Task.Run(() => CommandErrors.Run(() =>
        {
            var options = new SchedulerOptions
            {
                Slots = parse.GetValue(slots),
                Cores = parse.GetValue(cores),
                Heartbeat = TimeSpan.FromSeconds(parse.GetValue(heartbeat)),
                Poll = TimeSpan.FromSeconds(parse.GetValue(poll)),
                InterruptGrace = TimeSpan.FromSeconds(30),
            };
            if (options.Slots < 1 || options.Cores < 1 || options.Heartbeat <= TimeSpan.Zero || options.Poll <= TimeSpan.Zero)
                throw new UsageException("--slots and --cores must be at least 1, --heartbeat and --poll positive");
            var location = LabStore.Resolve(parse.GetValue(store));
            using var lab = LabStore.Open(location);
            ResearchStudy study;
            if (parse.GetValue(agendaFile) is { } path)
            {
                var agenda = AgendaFile.Load(path);
                study = ResearchStudy.Open(lab, agenda, parse.GetValue(runsDir) ?? Path.Combine("runs", agenda.Name));
            }
            else
            {
                study = ResearchStudy.Open(lab, parse.GetValue(studyName));
            }
            study.StartSession("research session started: researcher mcp");
            Console.Error.WriteLine($"plab mcp: serving study {study.Study.Name} from {lab.Location} on stdio");
            using (var background = new BackgroundLab(study, location, options, Console.Error))
                new StudyMcpServer(study, background).RunAsync(cancellation).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        })));
        return command;
    }
}
