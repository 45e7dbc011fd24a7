using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab eval --checkpoint PATH --data PATH [--stride N] [--threads N] [--json]</c>.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint")
        {
            Description = "A run folder, its checkpoint folder, or a model.safetensors file.",
            Required = true,
        };
        var data = new Option<string>("--data") { Description = "A UTF-8 text file or an llm.c token shard.", Required = true };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var stride = new Option<int>("--stride")
        {
            Description = "Tokens between window starts, 1 to the block size (default: the block size, no overlap); "
                + "a smaller stride scores every token with at least block size - stride tokens of context.",
            DefaultValueFactory = _ => 0,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("eval", "Loss and bits per byte of a checkpoint on a whole text file or shard.")
        {
            checkpoint, data, stride, threads, json,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var m = CheckpointEvaluation.Run(parse.GetValue(checkpoint)!, parse.GetValue(data)!, parse.GetValue(threads), parse.GetValue(stride));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { loss = m.Loss, bpb = m.BitsPerByte, tokens = m.Tokens, step = m.Step }));
            }
            else
            {
                var bpb = m.BitsPerByte?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a (token byte lengths unknown)";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4}   bpb {bpb}   tokens {m.Tokens:N0}   checkpoint step {m.Step:N0}"));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
