using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PretrainLab.Engine.Compute;
using PretrainLab.Lab.Bench;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab bench [--preset tiny|baby|gpt2s|all] [--threads N] [--steps N] [--warmup N] [--warmup-seconds S] [--json]</c>.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset")
        {
            Description = "Model to time: tiny, baby, gpt2s, or all.",
            DefaultValueFactory = _ => BenchPreset.Tiny.Name,
        };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var steps = new Option<int?>("--steps") { Description = "Timed steps (default: tiny 100, baby 5, gpt2s 3)." };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before timing, at least.", DefaultValueFactory = _ => 3 };
        var warmupSeconds = new Option<double>("--warmup-seconds")
        {
            Description = "Seconds of untimed steps before timing, at least (the JIT settles in the first second or so).",
            DefaultValueFactory = _ => EngineBenchmark.DefaultWarmupSeconds,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (with --preset all, a \"results\" array)." };
        var command = new Command("bench", "Time full training steps of the engine and compare them with the machine's FMA ceiling.")
        {
            preset, threads, steps, warmup, warmupSeconds, json,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var name = parse.GetValue(preset)!;
            IReadOnlyList<BenchPreset>? presets = string.Equals(name, "all", StringComparison.OrdinalIgnoreCase)
                ? BenchPreset.All
                : BenchPreset.Find(name) is { } found ? [found] : null;
            if (presets is null)
                return Usage($"unknown preset '{name}'; expected one of {string.Join(", ", BenchPreset.All.Select(x => x.Name))} or all");
            var threadCount = parse.GetValue(threads);
            var stepCount = parse.GetValue(steps);
            var warmupCount = parse.GetValue(warmup);
            var warmupTime = parse.GetValue(warmupSeconds);
            if (threadCount < 0)
                return Usage($"--threads must be >= 0, got {threadCount}");
            if (stepCount < 1)
                return Usage($"--steps must be >= 1, got {stepCount}");
            if (warmupCount < 0)
                return Usage($"--warmup must be >= 0, got {warmupCount}");
            if (!double.IsFinite(warmupTime) || warmupTime < 0)
                return Usage(string.Create(CultureInfo.InvariantCulture, $"--warmup-seconds must be a finite number >= 0, got {warmupTime}"));

            var parallelism = new Parallelism(threadCount);
            var onThreads = OnThreads(parallelism.Threads);
            Console.Error.WriteLine($"measuring the FMA ceiling {onThreads}...");
            var ceiling = FmaProbe.Measure(parallelism.Threads);
            var results = new List<BenchResult>();
            foreach (var p in presets)
            {
                var n = stepCount ?? p.DefaultSteps;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench {p.Name}: warm-up (at least {warmupCount} steps and {warmupTime:0.##} s) + {n} timed steps {onThreads}..."));
                results.Add(EngineBenchmark.Run(p, parallelism, n, warmupCount, warmupTime, ceiling));
            }

            if (parse.GetValue(json))
                Console.WriteLine(results.Count == 1 ? JsonSerializer.Serialize(results[0]) : JsonSerializer.Serialize(new { results }));
            else
                PrintTable(results, ceiling);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }

    private static void PrintTable(IReadOnlyList<BenchResult> results, FmaProbeResult ceiling)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c,
            $"{"preset",-7} {"threads",7} {"params",12} {"tok/s",9} {"overall",9} {"GFLOP/s",8} {"ceiling",8} {"peak RSS",10} {"model",10}"));
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(c,
                $"{r.Preset,-7} {r.Threads,7} {r.Parameters,12:N0} {r.TokensPerSecond,9:N0} {r.TokensPerSecondOverall,9:N0} {r.Gflops,8:F1} {r.CeilingFraction,8:P1} {Mib(r.PeakRssBytes),10} {Mib(r.ModelBytes),10}"));
        }
        Console.WriteLine(string.Create(c,
            $"tok/s is the median of per-step rates; FMA ceiling {ceiling.Gflops:F1} GFLOP/s {OnThreads(ceiling.Threads)} (Vector{ceiling.VectorBits})"));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{"ms/step",-7} {"forward",9} {"backward",9} {"clip",9} {"AdamW",9} {"total",9}"));
        foreach (var r in results)
        {
            var ph = r.PhaseSeconds;
            Console.WriteLine(string.Create(c,
                $"{r.Preset,-7} {ph.Forward * 1e3,9:F1} {ph.Backward * 1e3,9:F1} {ph.Clip * 1e3,9:F1} {ph.Optimizer * 1e3,9:F1} {r.StepSeconds.Average() * 1e3,9:F1}"));
        }
    }

    private static string OnThreads(int threads) => threads == 1 ? "on 1 thread" : $"on {threads} threads";

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");
}
