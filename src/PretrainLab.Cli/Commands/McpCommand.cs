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
        var scheduling = new SchedulerArguments("Runs trained at once by start_runs.", "Cores to fill (default: all).", staleAfter: false);
        var runsDir = new Option<string?>("--runs-dir") { Description = "Folder for the run folders (default: runs/<study name>)." };
        var store = StoreOption.Create();
        var command = new Command("mcp", "Serve a research study over MCP (stdio) so that Claude Code can act as the researcher.")
        {
            agendaFile, studyName, runsDir, store,
        };
        scheduling.AddTo(command);
        command.SetAction((parse, cancellation) => Task.Run(() => CommandErrors.Run(() =>
        {
            var options = scheduling.Read(parse) with { InterruptGrace = TimeSpan.FromSeconds(30) };
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
