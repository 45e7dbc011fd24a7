using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab train RECIPE [--set k=v]... [--out DIR] [--resume DIR] [--json]</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var recipe = new Argument<string?>("recipe")
        {
            Description = "Recipe file (YAML or JSON). Not needed with --resume.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Override a recipe value, e.g. --set model.n_layer=6 (repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<name>-<time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the summary instead of text." };

        var command = new Command("train", "Train a model from a recipe, with checkpoints and a live progress line.")
        {
            recipe, set, output, resume, json,
        };
        // On the thread pool: System.CommandLine installs its Ctrl+C handler only once the action has returned its
        // task, so work done before returning could not be cancelled, only killed.
        command.SetAction((parse, cancellation) => Task.Run(() => CommandErrors.Run(() =>
        {
            var recipePath = parse.GetValue(recipe);
            var resumeDir = parse.GetValue(resume);
            var overrides = parse.GetValue(set) ?? [];
            var asJson = parse.GetValue(json);
            if (resumeDir is null && recipePath is null)
            {
                Console.Error.WriteLine("error: give a recipe file, or --resume DIR");
                return ExitCodes.Usage;
            }
            if (resumeDir is not null && (recipePath is not null || overrides.Length > 0))
            {
                Console.Error.WriteLine("error: --resume continues a run with its own recipe; drop the recipe and --set");
                return ExitCodes.Usage;
            }

            var progress = new ProgressDisplay(Console.Error);
            RunSummary summary;
            if (resumeDir is not null)
            {
                summary = TrainingRun.Resume(resumeDir, progress, cancellation);
            }
            else
            {
                var loaded = RecipeLoader.Load(recipePath!, overrides);
                var outDir = parse.GetValue(output)
                    ?? Path.Combine("runs", $"{loaded.Name}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                summary = TrainingRun.Train(loaded, outDir, progress, cancellation);
            }
            progress.Finish();

            if (asJson)
                Console.WriteLine(JsonSerializer.Serialize(summary));
            else
                PrintSummary(summary);
            return summary.Status == "cancelled" ? ExitCodes.Cancelled : ExitCodes.Ok;
        })));
        return command;
    }

    private static void PrintSummary(RunSummary s)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"run        {s.Name} ({s.RecipeHash})  status {s.Status}{(s.Reason is null ? "" : $": {s.Reason}")}"));
        Console.WriteLine(string.Create(c, $"val loss   {Format(s.ValLoss, "F4")}   val bpb {Format(s.ValBpb, "F4")}   train loss {Format(s.TrainLoss, "F4")}"));
        Console.WriteLine(string.Create(c, $"steps      {s.Steps:N0}   tokens {s.Tokens:N0}   params {s.Parameters:N0}"));
        Console.WriteLine(string.Create(c, $"speed      {s.TokensPerSecond:N0} tokens/s on {s.Threads} threads   FLOPs {s.Flops:E3}"));
        Console.WriteLine(string.Create(c, $"time       {s.TrainSeconds:F1} s training, {s.WallSeconds:F1} s wall"));
        Console.WriteLine($"output     {s.OutDir}");
    }

    private static string Format(double? value, string format) =>
        value?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";
}
