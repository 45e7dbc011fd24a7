using System.Text.RegularExpressions;
using PretrainLab.Data.Cleaning;
using PretrainLab.Data.Corpora;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Lab.Datasets;

/// <summary>
/// Reads a data configuration (YAML) for <c>plab data prepare</c>, checking every key, type, range and
/// file before any work, and reporting all problems at once as a <see cref="DatasetConfigException"/>.
/// Relative paths are resolved against the configuration file's folder. The keys and their defaults
/// are documented in the README's "Data configuration" section.
/// </summary>
public static class DatasetConfigLoader
{
    // TiktokenRankFile.MaxRank is internal to the Data project; ids at or above it are rejected there too.
    private const long TiktokenRankFileLimit = 1 << 24;

    private static readonly Dictionary<string, DocumentFormat?> Formats = new()
    {
        ["auto"] = null,
        ["text"] = DocumentFormat.Text,
        ["jsonl"] = DocumentFormat.JsonLines,
    };

    private static readonly Dictionary<string, TokenizerKind> Kinds = Enum.GetValues<TokenizerKind>()
        .ToDictionary(k => k.ToString().ToLowerInvariant());

    private static readonly Dictionary<string, bool> Actions = new() { ["remove"] = true, ["keep"] = false };

    private static readonly string[] Separators = ["none", "blank_lines", "literal", "regex"];

    /// <summary>Loads the configuration file at <paramref name="path"/>.</summary>
    /// <exception cref="DatasetConfigException">The file is missing, malformed or invalid.</exception>
    public static DatasetConfig Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new DatasetConfigException([$"data configuration not found: {fullPath}"]);
        return Parse(File.ReadAllText(fullPath), fullPath);
    }

    /// <summary>Parses configuration text; <paramref name="configPath"/> names it in errors and its folder resolves relative paths.</summary>
    /// <exception cref="DatasetConfigException">The text is malformed or the configuration invalid.</exception>
    public static DatasetConfig Parse(string text, string configPath)
    {
        var root = ConfigSection.Parse(text, Path.GetFileName(configPath), Path.GetDirectoryName(configPath) ?? ".", out var errors);
        if (root is null)
            throw new DatasetConfigException(errors);

        var name = root.RequiredText("name");
        var seed = root.Integer("seed", 1337, 0);
        var output = root.OptionalText("output") is { } o ? Path.GetFullPath(o, root.BaseDirectory) : null;
        var sources = ReadSources(root);

        var cleaning = root.Section("cleaning");
        var exact = cleaning.Section("exact_dedup");
        bool exactDedup = exact.Bool("enabled", true);
        exact.RejectUnknownKeys();
        var quality = ReadQuality(cleaning.Section("quality_filter"));
        var near = ReadNearDedup(cleaning.Section("near_dedup"));
        cleaning.RejectUnknownKeys();

        var splits = root.Section("splits");
        double val = splits.Number("val", 0.05, v => v is > 0 and < 1, "in (0, 1)");
        double test = splits.Number("test", 0, v => v is >= 0 and < 1, "in [0, 1)");
        if (val + test >= 1)
            splits.Error("test", $"val + test must leave documents for training, got {val} + {test}");
        splits.RejectUnknownKeys();

        var tokenizer = ReadTokenizer(root.Section("tokenizer"));

        var mixture = root.Section("mixture");
        long? trainTokens = mixture.OptionalInteger("train_tokens", 1);
        mixture.RejectUnknownKeys();

        var shards = root.Section("shards");
        long shardTokens = shards.Integer("tokens", 100_000_000, 1, int.MaxValue);
        shards.RejectUnknownKeys();
        root.RejectUnknownKeys();

        if (root.Errors.Count > 0)
            throw new DatasetConfigException(root.Errors);
        return new DatasetConfig(name, seed, output, sources, exactDedup, quality, near, val, test, tokenizer, trainTokens, shardTokens, configPath);
    }

    private static List<SourceConfig> ReadSources(ConfigSection root)
    {
        var sources = new List<SourceConfig>();
        var sections = root.Sections("sources");
        if (sections.Count == 0)
            root.Error("sources", "required: a list of at least one source with a name and paths");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in sections)
        {
            var name = s.RequiredText("name");
            if (name.Length > 0 && !names.Add(name))
                s.Error("name", $"'{name}' names another source already");
            var paths = s.Texts("paths").Select(p => Path.GetFullPath(p, root.BaseDirectory)).ToList();
            if (paths.Count == 0)
                s.Error("paths", "required: files or folders to read");
            foreach (var path in paths.Where(p => !File.Exists(p) && !Directory.Exists(p)))
                s.Error("paths", $"not found: {path}");
            var format = s.Choice("format", null, Formats);
            var separatorName = s.Choice("separator", "none", Separators.ToDictionary(x => x));
            var separatorText = s.OptionalText("separator_text");
            var separator = DocumentSeparator.None;
            switch (separatorName)
            {
                case "blank_lines":
                    separator = DocumentSeparator.BlankLines;
                    break;
                case "literal" or "regex" when string.IsNullOrEmpty(separatorText):
                    s.Error("separator_text", $"required for separator: {separatorName}");
                    break;
                case "literal":
                    separator = DocumentSeparator.Literal(separatorText!);
                    break;
                case "regex":
                    try
                    {
                        separator = DocumentSeparator.Pattern(separatorText!);
                    }
                    catch (RegexParseException e)
                    {
                        s.Error("separator_text", $"not a valid regular expression: {e.Message}");
                    }
                    break;
            }
            if (separatorName == "none" && separatorText is not null)
                s.Error("separator_text", "only used with separator: literal or regex");
            var field = s.Text("text_field", "text");
            var weight = s.Number("weight", 1, w => w > 0, "> 0");
            s.RejectUnknownKeys();
            sources.Add(new SourceConfig(name, new CorpusSource(paths, format, field, separator), weight));
        }
        return sources;
    }

    private static QualityFilterOptions? ReadQuality(ConfigSection q)
    {
        bool enabled = q.Bool("enabled", true);
        var gopher = new QualityFilterOptions();
        static bool Share(double v) => v is >= 0 and <= 1;
        const string ShareRule = "in [0, 1]";

        var words = q.Section("words");
        int? minWords = (int?)Limit(words, "min", gopher.MinWords);
        int? maxWords = (int?)Limit(words, "max", gopher.MaxWords);
        if (minWords > maxWords)
            words.Error("max", $"must be >= min ({minWords}), got {maxWords}");
        var length = q.Section("mean_word_length");
        double? minLength = length.OptionalNumber("min", gopher.MinMeanWordLength, v => v >= 0, ">= 0");
        double? maxLength = length.OptionalNumber("max", gopher.MaxMeanWordLength, v => v >= 0, ">= 0");
        if (minLength > maxLength)
            length.Error("max", $"must be >= min ({minLength}), got {maxLength}");
        var symbols = q.Section("symbol_ratio");
        var digits = q.Section("digit_ratio");
        var alpha = q.Section("alpha_words");
        var bullets = q.Section("bullet_lines");
        var ellipsis = q.Section("ellipsis_lines");
        var duplicates = q.Section("duplicate_lines");
        var top = q.Section("top_ngram");
        var repeated = q.Section("duplicate_ngram");
        var options = new QualityFilterOptions
        {
            MinWords = On(words, minWords),
            MaxWords = On(words, maxWords),
            MinMeanWordLength = On(length, minLength),
            MaxMeanWordLength = On(length, maxLength),
            MaxSymbolRatio = On(symbols, symbols.OptionalNumber("max", gopher.MaxSymbolRatio, v => v >= 0, ">= 0")),
            MaxDigitRatio = On(digits, digits.OptionalNumber("max", gopher.MaxDigitRatio, Share, ShareRule)),
            MinAlphaWordFraction = On(alpha, alpha.OptionalNumber("min", gopher.MinAlphaWordFraction, Share, ShareRule)),
            MaxBulletLineFraction = On(bullets, bullets.OptionalNumber("max", gopher.MaxBulletLineFraction, Share, ShareRule)),
            MaxEllipsisLineFraction = On(ellipsis, ellipsis.OptionalNumber("max", gopher.MaxEllipsisLineFraction, Share, ShareRule)),
            MaxDuplicateLineFraction = On(duplicates, duplicates.OptionalNumber("max", gopher.MaxDuplicateLineFraction, Share, ShareRule)),
            MaxTopNgramFraction = On(top, top.NumberByInteger("max", gopher.MaxTopNgramFraction, Share, ShareRule)),
            MaxDuplicateNgramFraction = On(repeated, repeated.NumberByInteger("max", gopher.MaxDuplicateNgramFraction, Share, ShareRule)),
        };
        foreach (var rule in new[] { words, length, symbols, digits, alpha, bullets, ellipsis, duplicates, top, repeated })
            rule.RejectUnknownKeys();
        q.RejectUnknownKeys();
        return enabled ? options : null;
    }

    private static T? On<T>(ConfigSection rule, T? value) => rule.Bool("enabled", true) ? value : default;

    private static long? Limit(ConfigSection rule, string key, long? fallback)
    {
        long? value = rule.OptionalInteger(key, 0, int.MaxValue);
        return rule.Has(key) ? value : fallback;
    }

    private static NearDedupConfig? ReadNearDedup(ConfigSection n)
    {
        bool enabled = n.Bool("enabled", true);
        double threshold = n.Number("threshold", 0.8, t => t is > 0 and < 1, "in (0, 1)");
        int ngram = (int)n.Integer("ngram", 5, 1, 100);
        int permutations = (int)n.Integer("permutations", 128, 1, 4096);
        long? bands = n.OptionalInteger("bands", 1, 4096);
        long? rows = n.OptionalInteger("rows", 1, 4096);
        LshBanding? banding = null;
        if ((bands is null) != (rows is null))
            n.Error(bands is null ? "bands" : "rows", "set bands and rows together, or neither to choose them for the threshold");
        else if (bands is not null && rows is not null)
        {
            if (bands * rows > permutations)
                n.Error("rows", $"bands × rows = {bands * rows} exceeds permutations ({permutations})");
            banding = new LshBanding((int)bands, (int)rows);
        }
        bool remove = n.Choice("action", true, Actions);
        n.RejectUnknownKeys();
        return enabled ? new NearDedupConfig(threshold, ngram, permutations, banding, remove) : null;
    }

    private static TokenizerConfig ReadTokenizer(ConfigSection t)
    {
        var kind = t.Choice("kind", TokenizerKind.Byte, Kinds);
        var path = t.OptionalText("path") is { } p ? Path.GetFullPath(p, t.BaseDirectory) : null;
        var pattern = t.Text("pattern", "gpt2");
        long vocab = t.Integer("vocab_size", 0, 0, TiktokenRankFileLimit);
        var eot = t.Text("eot", TiktokenEncoding.EndOfText);
        long? eotId = t.OptionalInteger("eot_id", 0, TiktokenRankFileLimit - 1);

        if (kind is TokenizerKind.Tiktoken or TokenizerKind.Directory && path is null)
            t.Error("path", $"required for kind: {kind.ToString().ToLowerInvariant()}");
        else if (kind == TokenizerKind.Tiktoken && !File.Exists(path))
            t.Error("path", $"rank file not found: {path}");
        else if (kind == TokenizerKind.Directory && !Directory.Exists(path))
            t.Error("path", $"tokenizer folder not found: {path}");
        else if (kind is TokenizerKind.Byte or TokenizerKind.Train && path is not null)
            t.Error("path", $"not used with kind: {kind.ToString().ToLowerInvariant()}");
        if (kind == TokenizerKind.Train && vocab < 257)
            t.Error("vocab_size", $"must be >= 257 (256 bytes and the end-of-text token) for kind: train, got {vocab}");
        if (kind != TokenizerKind.Train && t.Has("vocab_size"))
            t.Error("vocab_size", "only used with kind: train");
        if (kind != TokenizerKind.Tiktoken && eotId is not null)
            t.Error("eot_id", "only used with kind: tiktoken");
        if (kind is TokenizerKind.Tiktoken or TokenizerKind.Train)
        {
            try
            {
                TokenizerPattern.Parse(pattern);
            }
            catch (ArgumentException e)
            {
                t.Error("pattern", $"not gpt2, cl100k or a valid regular expression: {e.Message}");
            }
        }
        else if (t.Has("pattern"))
        {
            t.Error("pattern", $"not used with kind: {kind.ToString().ToLowerInvariant()} (its pattern is fixed)");
        }
        if (eot.Length == 0)
            t.Error("eot", "must not be empty");
        t.RejectUnknownKeys();
        return new TokenizerConfig(kind, path, pattern, (int)vocab, eot, (int?)eotId);
    }
}
