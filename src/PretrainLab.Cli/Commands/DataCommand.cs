using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PretrainLab.Data.Datasets;
using PretrainLab.Data.Splits;
using PretrainLab.Lab.Datasets;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab data prepare CONFIG</c> and <c>plab data inspect DIR</c>.</summary>
internal static class DataCommand
{
    // Sample text is printed for people: keep quotes and non-ASCII readable.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create() => new("data", "Build token datasets from corpora and look inside them.")
    {
        Prepare(),
        Inspect(),
    };

    private static Command Prepare()
    {
        var config = new Argument<string>("config") { Description = "Data configuration (YAML)." };
        var output = new Option<string?>("--out") { Description = "Dataset folder (default: the configuration's output, else datasets/<name>)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing dataset folder." };
        var json = new Option<bool>("--json") { Description = "Print the manifest as JSON, with out_dir and seconds." };
        var command = new Command("prepare", "Read, clean, split, tokenize and mix corpora into a dataset folder of token shards.")
        {
            config, output, force, json,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var loaded = DatasetConfigLoader.Load(parse.GetValue(config)!);
            var outDir = Path.GetFullPath(parse.GetValue(output) ?? loaded.Output ?? Path.Combine("datasets", loaded.Name));
            if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !parse.GetValue(force))
            {
                Console.Error.WriteLine($"error: {outDir} already exists; choose another --out or pass --force to replace the dataset");
                return ExitCodes.Usage;
            }
            var clock = Stopwatch.StartNew();
            DatasetManifest manifest;
            try
            {
                manifest = DatasetPreparation.Run(loaded, outDir, parse.GetValue(force), line => Console.Error.WriteLine(line));
            }
            catch (InvalidDataException e)
            {
                // A corpus the configuration names is malformed, or leaves a split empty: bad input.
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            double seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
            if (parse.GetValue(json))
            {
                Console.WriteLine($"{{\"out_dir\": {JsonSerializer.Serialize(outDir)}, \"seconds\": {seconds.ToString(CultureInfo.InvariantCulture)}, \"manifest\": {manifest.ToJson()}}}");
                return ExitCodes.Ok;
            }
            PrintStages(manifest);
            PrintSplits(manifest);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time       {seconds:F1} s"));
            Console.WriteLine($"output     {outDir}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Inspect()
    {
        var directory = new Argument<string>("dir") { Description = "A dataset folder." };
        var sample = new Option<int>("--sample-tokens")
        {
            Description = "Tokens of the first validation document to decode and show.",
            DefaultValueFactory = _ => 64,
        };
        var json = new Option<bool>("--json") { Description = "Print the manifest as JSON, with the sample's ids and text." };
        var command = new Command("inspect", "Check a dataset folder against its manifest and summarise it, with a decoded sample.")
        {
            directory, sample, json,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var count = parse.GetValue(sample);
            if (count < 0)
            {
                Console.Error.WriteLine($"error: --sample-tokens must be >= 0, got {count}");
                return ExitCodes.Usage;
            }
            TokenDataset dataset;
            try
            {
                dataset = TokenDataset.Open(parse.GetValue(directory)!);
            }
            catch (InvalidDataException e)
            {
                // The folder named on the command line is the input; a damaged one is bad input.
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            using (dataset)
            {
                var (ids, text) = Sample(dataset, count);
                var m = dataset.Manifest;
                if (parse.GetValue(json))
                {
                    Console.WriteLine($"{{\"dir\": {JsonSerializer.Serialize(dataset.Directory)}, \"sample_ids\": {JsonSerializer.Serialize(ids)}, \"sample_text\": {JsonSerializer.Serialize(text)}, \"manifest\": {m.ToJson()}}}");
                    return ExitCodes.Ok;
                }
                Console.WriteLine($"dataset    {m.Name}  built {m.CreatedUtc}  seed {m.Seed}  ({dataset.Directory}, every file checked against {DatasetManifest.FileName})");
                foreach (var s in m.Sources)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"source     {s.Name}: {s.DocumentsKept:N0} of {s.DocumentsRead:N0} documents kept ({s.BytesKept:N0} of {s.BytesRead:N0} bytes), weight {s.Weight}, {s.Files.Count} file(s), {s.Reading}"));
                }
                var t = m.Tokenizer;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"tokenizer  {t.Kind}, {t.VocabSize:N0} ids, end-of-text {t.EotToken}{(t.TrainSeconds is { } ts ? $", trained in {ts:F1} s" : "")}; {t.Origin}"));
                PrintStages(m);
                PrintSplits(m);
                Console.WriteLine($"sample     first {ids.Length} tokens of the first val document:");
                Console.WriteLine($"  ids      {JsonSerializer.Serialize(ids)}");
                Console.WriteLine($"  text     {JsonSerializer.Serialize(text, Readable)}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static (int[] Ids, string Text) Sample(TokenDataset dataset, int count)
    {
        var shards = dataset.Shards(DatasetSplit.Val);
        if (shards.Count == 0 || shards[0].Count < 2 || count == 0)
            return ([], "");
        // Skip the end-of-text token that opens the split.
        var ids = new int[(int)Math.Min(count, shards[0].Count - 1)];
        shards[0].CopyTo(1, ids);
        int eot = dataset.Manifest.Tokenizer.EotToken;
        int end = Array.IndexOf(ids, eot);
        ids = end < 0 ? ids : ids[..end];
        return (ids, Encoding.UTF8.GetString(dataset.LoadTokenizer().Decode(ids)));
    }

    private static void PrintStages(DatasetManifest m)
    {
        foreach (var stage in m.Stages)
        {
            if (!stage.Enabled)
            {
                Console.WriteLine($"stage      {stage.Stage}: off");
                continue;
            }
            var kept = string.Create(CultureInfo.InvariantCulture,
                $"stage      {stage.Stage}: kept {stage.DocumentsOut:N0} of {stage.DocumentsIn:N0} documents, {stage.BytesOut:N0} of {stage.BytesIn:N0} bytes");
            Console.WriteLine(stage.Note is null ? kept : $"{kept} ({stage.Note})");
            foreach (var reason in stage.Removed)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  removed  {reason.Reason}: {reason.Documents:N0} documents, {reason.Bytes:N0} bytes"));
                foreach (var example in reason.Examples)
                    Console.WriteLine($"    e.g.   {example.Source} [{example.Detail}] {example.Excerpt}");
            }
        }
    }

    private static void PrintSplits(DatasetManifest m)
    {
        foreach (var (name, split) in m.Splits)
        {
            var bytesPerToken = split.Tokens == 0 ? 0 : (double)split.TextBytes / split.Tokens;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"split      {name}: {split.Documents:N0} documents, {split.Tokens:N0} tokens, {split.TextBytes:N0} text bytes ({bytesPerToken:F2} bytes/token), {split.Shards.Count} shard(s)"));
            foreach (var share in split.Mixture ?? [])
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  mixture  {share.Name}: {share.Tokens:N0} tokens ({share.Share:P1}, weight {share.Weight:P1}), {share.Documents:N0} of {share.AvailableDocuments:N0} documents, {share.Epochs} epoch(s)"));
            }
        }
    }
}
