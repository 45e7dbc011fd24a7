using System.Diagnostics;
using System.Globalization;
using System.Text;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Bench.Tokenizer;

/// <summary>
/// Tokenizer throughput: BPE training time at a vocabulary of 4,096 on the sample corpora, then
/// encoding speed in MB/s of UTF-8 input on one thread and on every core, for tiktoken's r50k_base
/// and cl100k_base and the trained tokenizer. Usage and measured numbers: bench/TOKENIZER.md.
/// </summary>
internal static class Program
{
    // Pieces of about this size, cut at line ends, are what each core encodes at a time.
    private const int ChunkChars = 1 << 16;

    private static int Main(string[] args)
    {
        string root = FindRepositoryRoot();
        string fixtures = Path.Combine(root, "tests", "PretrainLab.Data.Tests", "Fixtures");
        double seconds = 3;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out seconds) && seconds > 0:
                    i++;
                    break;
                case "-h" or "--help":
                    Console.WriteLine("usage: dotnet run -c Release --project bench/tokenizer -- [--seconds S] [TEXT_FILE ...]");
                    Console.WriteLine("Default text: samples/data/tinyshakespeare.txt and samples/data/tinystories_head.txt.");
                    return 0;
                default:
                    if (!File.Exists(args[i]))
                    {
                        Console.Error.WriteLine($"error: not a file or option: {args[i]}");
                        return 2;
                    }
                    files.Add(args[i]);
                    break;
            }
        }
        if (files.Count == 0)
            files.AddRange(new[] { "tinyshakespeare.txt", "tinystories_head.txt" }.Select(f => Path.Combine(root, "samples", "data", f)));

        var texts = files.Select(File.ReadAllText).ToList();
        var chunks = texts.SelectMany(Chunks).ToArray();
        long bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        Console.WriteLine($"input: {string.Join(" + ", files.Select(Path.GetFileName))}, {bytes / 1e6:F2} MB in {chunks.Length} chunks; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        // Other work on the machine slows every number here; the load average says how much there was.
        if (File.Exists("/proc/loadavg"))
            Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

        var clock = Stopwatch.StartNew();
        var trained = new BpeTrainer(4096, TokenizerPattern.Gpt2, [TiktokenEncoding.EndOfText]).Train(texts);
        Console.WriteLine($"train: BPE to 4,096 tokens (gpt2 pattern) on the input in {clock.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine();

        // "cores used" is CPU seconds per wall second in the best window: below the thread count, other work had the rest.
        (string Name, TiktokenEncoding Encoding)[] encodings =
        [
            ("r50k_base", TiktokenEncoding.LoadR50kBase(Path.Combine(fixtures, "r50k_base.tiktoken"))),
            ("cl100k_base", TiktokenEncoding.LoadCl100kBase(Path.Combine(fixtures, "cl100k_base.tiktoken"))),
            ("trained-4096", trained),
        ];
        Console.WriteLine($"{"encoding",-13} {"tokens",10} {"bytes/token",12} {"1 thread MB/s",14} {"(cores used)",13} {$"{Environment.ProcessorCount} threads MB/s",16} {"(cores used)",13}");
        foreach (var (name, encoding) in encodings)
        {
            long tokens = chunks.Sum(c => (long)encoding.EncodeOrdinary(c).Length);
            var (single, singleCores) = Measure(bytes, seconds, () =>
            {
                foreach (var chunk in chunks)
                    encoding.EncodeOrdinary(chunk);
            });
            var (parallel, cores) = Measure(bytes, seconds, () => Parallel.ForEach(chunks, chunk => encoding.EncodeOrdinary(chunk)));
            Console.WriteLine($"{name,-13} {tokens,10:N0} {(double)bytes / tokens,12:F2} {single,14:F1} {singleCores,13:F2} {parallel,16:F1} {cores,13:F2}");
        }
        return 0;
    }

    /// <summary>
    /// MB/s over whole passes: a second of warm-up passes (tiered JIT settles), then the best of five
    /// windows of <paramref name="seconds"/> / 5 each, since on a shared machine other work only ever
    /// slows a window down; with the process's CPU seconds per wall second in that window, which
    /// shows how many cores it actually got.
    /// </summary>
    private static (double MegabytesPerSecond, double CoresUsed) Measure(long bytes, double seconds, Action pass)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed.TotalSeconds < 1)
            pass();
        var process = Process.GetCurrentProcess();
        (double Rate, double Cores) best = (0, 0);
        for (int window = 0; window < 5; window++)
        {
            int passes = 0;
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds / 5)
            {
                pass();
                passes++;
            }
            double wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double rate = bytes * passes / wall / 1e6;
            if (rate > best.Rate)
                best = (rate, (process.TotalProcessorTime - cpu).TotalSeconds / wall);
        }
        return best;
    }

    private static IEnumerable<string> Chunks(string text)
    {
        for (int start = 0; start < text.Length;)
        {
            int end = Math.Min(text.Length, start + ChunkChars);
            if (end < text.Length)
            {
                int newline = text.LastIndexOf('\n', end - 1, end - start);
                end = newline > start ? newline + 1 : end;
            }
            yield return text[start..end];
            start = end;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PretrainLab.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No PretrainLab.slnx above {AppContext.BaseDirectory}.");
    }
}
