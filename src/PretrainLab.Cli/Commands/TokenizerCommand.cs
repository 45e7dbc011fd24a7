using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PretrainLab.Data.Corpora;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Cli.Commands;

/// <summary><c>plab tokenizer train|encode|decode</c>.</summary>
internal static class TokenizerCommand
{
    public static Command Create() => new("tokenizer", "Train byte-level BPE tokenizers and encode or decode with them.")
    {
        Train(),
        Encode(),
        Decode(),
    };

    private static Command Train()
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Text files, JSON Lines files (.jsonl), gzip of either (.gz), or folders of them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size: 256 bytes + merges + special tokens.", Required = true };
        var pattern = new Option<string>("--pattern")
        {
            Description = "Split pattern: gpt2, cl100k, or a regular expression.",
            DefaultValueFactory = _ => "gpt2",
        };
        var special = new Option<string[]>("--special")
        {
            Description = "A special token, given the ids after the merges in order (repeatable; default <|endoftext|>).",
            DefaultValueFactory = _ => [TiktokenEncoding.EndOfText],
            Arity = ArgumentArity.ZeroOrMore,
        };
        var separator = new Option<string>("--separator")
        {
            Description = "How text files are cut into documents: none (a file is one document) or blank_lines.",
            DefaultValueFactory = _ => "none",
        };
        var textField = new Option<string>("--text-field") { Description = "The text field of JSON Lines records.", DefaultValueFactory = _ => "text" };
        var output = new Option<string>("--out") { Description = "Folder to write tokenizer.tiktoken and tokenizer.json to.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("train", "Train a byte-level BPE tokenizer; prints the time taken.")
        {
            inputs, vocabSize, pattern, special, separator, textField, output, json,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            if (!TryPattern(parse.GetValue(pattern)!, out var splitPattern))
                return ExitCodes.Usage;
            var separatorName = parse.GetValue(separator);
            if (separatorName is not ("none" or "blank_lines"))
                return Usage($"--separator must be none or blank_lines, got '{separatorName}'");
            BpeTrainer trainer;
            try
            {
                trainer = new BpeTrainer(parse.GetValue(vocabSize), splitPattern, parse.GetValue(special) ?? []);
            }
            catch (ArgumentException e)
            {
                return Usage($"--vocab-size / --special: {e.Message.Split(" (Parameter")[0]}");
            }

            var source = new CorpusSource(parse.GetValue(inputs)!, Format: null, parse.GetValue(textField)!,
                separatorName == "blank_lines" ? DocumentSeparator.BlankLines : DocumentSeparator.None);
            var clock = Stopwatch.StartNew();
            List<string> texts;
            try
            {
                texts = DocumentReader.Read(source).Select(d => d.Text).ToList();
            }
            catch (InvalidDataException e)
            {
                return Usage(e.Message);
            }
            double readSeconds = clock.Elapsed.TotalSeconds;
            long bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training on {texts.Count:N0} documents, {bytes:N0} bytes..."));
            clock.Restart();
            var encoding = trainer.Train(texts);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            encoding.SaveDirectory(outDir);

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    vocab_size = encoding.VocabSize,
                    merges = encoding.VocabSize - 256 - encoding.SpecialTokens.Count,
                    documents = texts.Count,
                    bytes,
                    read_seconds = Math.Round(readSeconds, 3),
                    train_seconds = Math.Round(trainSeconds, 3),
                    out_dir = outDir,
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"trained {encoding.VocabSize:N0} tokens ({encoding.VocabSize - 256 - encoding.SpecialTokens.Count:N0} merges) on {texts.Count:N0} documents, {bytes:N0} bytes"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time       {trainSeconds:F2} s training, {readSeconds:F2} s reading"));
                Console.WriteLine($"output     {outDir}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Encode()
    {
        var (tiktoken, pattern, special, tokenizer) = SourceOptions();
        var allowSpecial = new Option<bool>("--allow-special") { Description = "Turn the text of special tokens into their ids (default: encode it as ordinary text)." };
        var command = new Command("encode", "Encode UTF-8 text from stdin; prints the token ids as a JSON array.")
        {
            tiktoken, pattern, special, tokenizer, allowSpecial,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var encoding = LoadEncoding(parse.GetValue(tiktoken), parse.GetValue(pattern), parse.GetValue(special) ?? [], parse.GetValue(tokenizer));
            if (encoding is null)
                return ExitCodes.Usage;
            using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            var text = stdin.ReadToEnd();
            var ids = encoding.Encode(text, parse.GetValue(allowSpecial) ? encoding.SpecialTokens.Keys : null);
            Console.Out.Write(JsonSerializer.Serialize(ids));
            Console.Out.Write('\n');
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Decode()
    {
        var (tiktoken, pattern, special, tokenizer) = SourceOptions();
        var command = new Command("decode", "Decode a JSON array of token ids from stdin; writes the bytes they stand for to stdout.")
        {
            tiktoken, pattern, special, tokenizer,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var encoding = LoadEncoding(parse.GetValue(tiktoken), parse.GetValue(pattern), parse.GetValue(special) ?? [], parse.GetValue(tokenizer));
            if (encoding is null)
                return ExitCodes.Usage;
            using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            int[] ids;
            try
            {
                ids = JsonSerializer.Deserialize<int[]>(stdin.ReadToEnd()) ?? throw new JsonException("null is not an array");
            }
            catch (JsonException e)
            {
                return Usage($"stdin: expected a JSON array of token ids: {e.Message}");
            }
            byte[] bytes;
            try
            {
                bytes = encoding.Decode(ids);
            }
            catch (ArgumentOutOfRangeException e)
            {
                return Usage($"stdin: {e.Message.Split(" (Parameter")[0]}");
            }
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(bytes);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static (Option<string?> Tiktoken, Option<string?> Pattern, Option<string[]> Special, Option<string?> Tokenizer) SourceOptions() =>
    (
        new Option<string?>("--tiktoken") { Description = "A tiktoken rank file; r50k_base.tiktoken and cl100k_base.tiktoken get their own pattern and special tokens." },
        new Option<string?>("--pattern") { Description = "With --tiktoken: gpt2 (default), cl100k, or a regular expression." },
        new Option<string[]>("--special") { Description = "With --tiktoken: a special token as NAME=ID (repeatable).", Arity = ArgumentArity.ZeroOrMore },
        new Option<string?>("--tokenizer") { Description = "A tokenizer folder written by 'plab tokenizer train' or found in a dataset." }
    );

    private static TiktokenEncoding? LoadEncoding(string? tiktoken, string? pattern, string[] specials, string? directory)
    {
        if ((tiktoken is null) == (directory is null))
        {
            Usage("give exactly one of --tiktoken FILE or --tokenizer DIR");
            return null;
        }
        try
        {
            if (directory is not null)
            {
                if (pattern is not null || specials.Length > 0)
                {
                    Usage("--pattern and --special go with --tiktoken; a tokenizer folder has its own");
                    return null;
                }
                if (!Directory.Exists(directory))
                {
                    Usage($"tokenizer folder not found: {Path.GetFullPath(directory)}");
                    return null;
                }
                return TiktokenEncoding.LoadDirectory(directory);
            }
            if (!File.Exists(tiktoken))
            {
                Usage($"rank file not found: {Path.GetFullPath(tiktoken!)}");
                return null;
            }
            // The two files everyone has get tiktoken's own settings unless told otherwise.
            var name = Path.GetFileName(tiktoken!);
            if (pattern is null && specials.Length == 0 && name == "r50k_base.tiktoken")
                return TiktokenEncoding.LoadR50kBase(tiktoken!);
            if (pattern is null && specials.Length == 0 && name == "cl100k_base.tiktoken")
                return TiktokenEncoding.LoadCl100kBase(tiktoken!);
            if (!TryPattern(pattern ?? "gpt2", out var splitPattern))
                return null;
            var specialIds = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in specials)
            {
                var equals = entry.LastIndexOf('=');
                if (equals <= 0 || !int.TryParse(entry[(equals + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    Usage($"--special expects NAME=ID, got '{entry}'");
                    return null;
                }
                specialIds[entry[..equals]] = id;
            }
            return TiktokenEncoding.Load(tiktoken!, splitPattern, specialIds);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            Usage(e.Message.Split(" (Parameter")[0]);
            return null;
        }
    }

    private static bool TryPattern(string name, out TokenizerPattern pattern)
    {
        try
        {
            pattern = TokenizerPattern.Parse(name);
            return true;
        }
        catch (ArgumentException e)
        {
            Usage($"--pattern: not gpt2, cl100k or a valid regular expression: {e.Message}");
            pattern = TokenizerPattern.Gpt2;
            return false;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}
