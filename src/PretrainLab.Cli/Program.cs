using System.CommandLine;
using PretrainLab.Cli.Commands;

namespace PretrainLab.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("plab: PretrainLab, a lab for LLM pre-training research.")
        {
            TrainCommand.Create(),
            EvalCommand.Create(),
            BenchCommand.Create(),
            StudyCommand.Create(),
            RunsCommand.Create(),
            ResearchCommand.Create(),
            McpCommand.Create(),
            WorkerCommand.Create(),
            TokenizerCommand.Create(),
            DataCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'plab --help' for usage.");
            return ExitCodes.Usage;
        }
        // Ctrl+C cancels the command; it then saves checkpoints (plab train, workers) or waits for its workers to
        // (plab study run), which can take longer than System.CommandLine's default 2 s before it kills the process.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) });
    }
}
