using System.Diagnostics;
using System.Globalization;
using System.Text;
using PretrainLab.Data.Cleaning;
using PretrainLab.Data.Corpora;
using PretrainLab.Data.Datasets;
using PretrainLab.Data.Mixtures;
using PretrainLab.Data.Splits;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Lab.Datasets;

/// <summary>
/// Builds a dataset folder from a <see cref="DatasetConfig"/>: read every source; remove exact
/// duplicates, documents failing the quality rules, and near duplicates (in that order, the cheap
/// stages first); assign each document to train, val or test by a seeded hash (a near-duplicate
/// cluster by its representative); obtain the tokenizer (trained on the training split only, so
/// nothing of val or test leaks into it); encode; draw each split as a weighted mixture of the
/// sources; and write shards, the tokenizer, the token byte table, a copy of the configuration and
/// the manifest.
/// </summary>
/// <remarks>
/// The whole corpus is held in memory (text and token ids), which suits the lab's corpora of up to a
/// few gigabytes. The folder is assembled under a temporary name beside the target and renamed into
/// place at the end, so an interrupted build leaves no half-written dataset.
/// </remarks>
public static class DatasetPreparation
{
    /// <summary>The copy of the configuration inside a dataset folder.</summary>
    public const string ConfigCopyName = "config.yaml";

    /// <summary>Builds the dataset of <paramref name="config"/> into <paramref name="outDir"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="outDir">The dataset folder to create.</param>
    /// <param name="force">Replace an existing dataset folder (one holding a manifest); other folders are never replaced.</param>
    /// <param name="log">Receives one line per step, for a progress display.</param>
    /// <exception cref="IOException"><paramref name="outDir"/> exists and <paramref name="force"/> is false, or it is not a dataset folder.</exception>
    /// <exception cref="InvalidDataException">A source cannot be read, or the data leaves a required split empty.</exception>
    public static DatasetManifest Run(DatasetConfig config, string outDir, bool force = false, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        log ??= _ => { };
        outDir = Path.GetFullPath(outDir);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            if (!force)
                throw new IOException($"{outDir} already exists; choose another --out or pass --force to replace the dataset");
            if (!File.Exists(Path.Combine(outDir, DatasetManifest.FileName)))
                throw new IOException($"{outDir} is not a dataset folder (no {DatasetManifest.FileName}); --force only replaces datasets");
        }

        var (documents, sources) = Read(config, log);
        var stages = new List<StageReport>();
        var kept = Enumerable.Range(0, documents.Count).ToList();
        kept = ExactDedup(config, documents, kept, stages, log);
        kept = Filter(config, documents, kept, stages, log);
        var (survivors, representative) = NearDedup(config, documents, kept, stages, log);

        var texts = survivors.Select(i => documents[i].Document.Text).ToList();
        var splits = new SplitAssigner(config.ValFraction, config.TestFraction, (ulong)config.Seed).Assign(texts, representative);
        log($"split: {Count(splits, DatasetSplit.Train):N0} train, {Count(splits, DatasetSplit.Val):N0} val, {Count(splits, DatasetSplit.Test):N0} test documents");

        var (tokenizer, eot, tokenizerInfo) = Tokenizer(config, texts.Where((_, k) => splits[k] == DatasetSplit.Train).ToList(), log);
        var clock = Stopwatch.StartNew();
        var tokens = new int[texts.Count][];
        Parallel.For(0, texts.Count, k => tokens[k] = tokenizer.EncodeOrdinary(texts[k]));
        log($"encode: {tokens.Sum(t => (long)t.Length):N0} tokens in {clock.Elapsed.TotalSeconds:F1} s");

        string staging = $"{outDir}.partial-{Guid.NewGuid():N}";
        try
        {
            var writer = new DatasetWriter(staging, tokenizer, eot, config.ShardTokens);
            var (tokenizerFiles, tokenBytes) = writer.WriteTokenizer();
            var manifestSplits = new Dictionary<string, ManifestSplit>();
            foreach (var split in Enum.GetValues<DatasetSplit>())
            {
                if (split == DatasetSplit.Test && config.TestFraction == 0)
                    continue;
                var members = Enumerable.Range(0, texts.Count).Where(k => splits[k] == split).ToList();
                var bySource = config.Sources.Select((_, i) => members.Where(k => documents[survivors[k]].Source == i).ToList()).ToList();
                // Each document's tokens count its end-of-text token too.
                var components = config.Sources.Select((s, i) => new MixtureComponent(s.Name, s.Weight,
                    bySource[i].Select(k => tokens[k].Length + 1L).ToList())).ToList();
                long? target = split == DatasetSplit.Train ? config.TrainTokens : null;
                var (order, shares) = MixtureSampler.Sample(components, target, ((ulong)config.Seed << 2) | (ulong)split);
                string name = DatasetManifest.SplitName(split);
                if (order.Count == 0 && split != DatasetSplit.Test)
                    throw new InvalidDataException($"the {name} split has no documents; raise splits.{name} or add data");
                foreach (var share in shares.Where(s => s.AvailableDocuments == 0))
                    log($"warning: source '{share.Name}' has no {name} documents; the other sources' weights are renormalised");
                var written = writer.WriteSplit(name, order.Select(p =>
                {
                    int k = bySource[p.Source][p.Document];
                    return ((ReadOnlyMemory<int>)tokens[k], documents[survivors[k]].Bytes);
                }));
                manifestSplits[name] = written with { Mixture = config.Sources.Count > 1 ? shares : null };
                log($"{name}: {written.Documents:N0} documents, {written.Tokens:N0} tokens in {written.Shards.Count} shard(s)"
                    + (config.Sources.Count > 1 ? $"; {string.Join(", ", shares.Select(s => $"{s.Name} {s.Share:P1}"))}" : ""));
            }

            File.Copy(config.ConfigPath, Path.Combine(staging, ConfigCopyName));
            var keptPerSource = survivors.GroupBy(i => documents[i].Source).ToDictionary(g => g.Key, g => (Documents: g.LongCount(), Bytes: g.Sum(i => documents[i].Bytes)));
            var manifest = new DatasetManifest
            {
                Format = DatasetManifest.FormatName,
                Version = DatasetManifest.CurrentVersion,
                Name = config.Name,
                CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                Seed = config.Seed,
                Config = ManifestFile.Describe(staging, ConfigCopyName),
                Sources = sources.Select((s, i) => s with
                {
                    DocumentsKept = keptPerSource.GetValueOrDefault(i).Documents,
                    BytesKept = keptPerSource.GetValueOrDefault(i).Bytes,
                }).ToList(),
                Stages = stages,
                Tokenizer = tokenizerInfo with { Files = tokenizerFiles },
                TokenBytes = tokenBytes,
                Splits = manifestSplits,
            };
            manifest.Save(staging);
            if (Directory.Exists(outDir))
                Directory.Delete(outDir, recursive: true);
            Directory.CreateDirectory(Path.GetDirectoryName(outDir)!);
            Directory.Move(staging, outDir);
            return manifest;
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    private static (List<(int Source, Document Document, long Bytes)> Documents, List<ManifestSource> Sources) Read(DatasetConfig config, Action<string> log)
    {
        var documents = new List<(int, Document, long)>();
        var sources = new List<ManifestSource>();
        // Reports and the manifest name files relative to the configuration, so they read the same on every machine.
        string root = Path.GetDirectoryName(config.ConfigPath)!;
        for (int i = 0; i < config.Sources.Count; i++)
        {
            var source = config.Sources[i];
            var fullFiles = DocumentReader.ListFiles(source.Corpus.Paths);
            var files = fullFiles.Select(f => Path.GetRelativePath(root, f)).ToList();
            long count = 0, bytes = 0;
            foreach (var document in DocumentReader.Read(source.Corpus))
            {
                long size = Encoding.UTF8.GetByteCount(document.Text);
                documents.Add((i, document with { Source = Path.GetRelativePath(root, document.Source) }, size));
                count++;
                bytes += size;
            }
            var corpus = source.Corpus;
            var formats = fullFiles.Select(f => corpus.Format ?? DocumentReader.FormatOf(f)).Distinct();
            string reading = string.Join("; ", formats.Order().Select(f => f == DocumentFormat.JsonLines
                ? $"jsonl, field {corpus.TextField}"
                : $"text, separator {corpus.Separator}"));
            sources.Add(new ManifestSource
            {
                Name = source.Name,
                Files = files,
                Reading = reading,
                Weight = source.Weight,
                DocumentsRead = count,
                BytesRead = bytes,
                DocumentsKept = 0,
                BytesKept = 0,
            });
            log($"read {source.Name}: {count:N0} documents, {bytes:N0} bytes from {files.Count} file(s)");
        }
        return (documents, sources);
    }

    private static List<int> ExactDedup(DatasetConfig config, List<(int Source, Document Document, long Bytes)> documents, List<int> input, List<StageReport> stages, Action<string> log)
    {
        var report = new StageReport { Stage = "exact_dedup", Enabled = config.ExactDedup, Note = "lowercased, whitespace collapsed, SHA-256" };
        stages.Add(report);
        if (!config.ExactDedup)
            return PassThrough(report, documents, input);
        var prints = new UInt128[input.Count];
        Parallel.For(0, input.Count, k => prints[k] = ExactDeduplicator.Fingerprint(documents[input[k]].Document.Text));
        var dedup = new ExactDeduplicator();
        var output = new List<int>();
        for (int k = 0; k < input.Count; k++)
        {
            var (_, document, bytes) = documents[input[k]];
            if (dedup.TryAdd(prints[k], input[k], out int first))
            {
                output.Add(input[k]);
                report.Keep(bytes);
            }
            else
            {
                report.Remove("exact_duplicate", document, bytes, $"same text as {documents[first].Document.Source}");
            }
        }
        log(Summary(report));
        return output;
    }

    private static List<int> Filter(DatasetConfig config, List<(int Source, Document Document, long Bytes)> documents, List<int> input, List<StageReport> stages, Action<string> log)
    {
        var report = new StageReport { Stage = "quality_filter", Enabled = config.Quality is not null };
        stages.Add(report);
        if (config.Quality is null)
            return PassThrough(report, documents, input);
        var filter = new QualityFilter(config.Quality);
        var verdicts = new QualityRejection?[input.Count];
        Parallel.For(0, input.Count, k => verdicts[k] = filter.Check(documents[input[k]].Document.Text));
        var output = new List<int>();
        for (int k = 0; k < input.Count; k++)
        {
            var (_, document, bytes) = documents[input[k]];
            if (verdicts[k] is { } rejection)
            {
                report.Remove(rejection.Rule, document, bytes, rejection.Detail);
            }
            else
            {
                output.Add(input[k]);
                report.Keep(bytes);
            }
        }
        log(Summary(report));
        return output;
    }

    private static (List<int> Survivors, int[] Representative) NearDedup(
        DatasetConfig config, List<(int Source, Document Document, long Bytes)> documents, List<int> input, List<StageReport> stages, Action<string> log)
    {
        var near = config.NearDedup;
        var report = new StageReport { Stage = "near_dedup", Enabled = near is not null };
        stages.Add(report);
        if (near is null)
        {
            PassThrough(report, documents, input);
            return (input, Enumerable.Range(0, input.Count).ToArray());
        }

        var finder = new NearDuplicateFinder(near.Threshold, near.Ngram, near.Permutations, (ulong)config.Seed, near.Banding);
        var clusters = finder.Find(input.Select(i => documents[i].Document.Text).ToList());
        var matchOf = new Dictionary<int, NearDuplicatePair>();
        foreach (var pair in clusters.Pairs)
            matchOf.TryAdd(pair.Second, pair);
        int clusterCount = clusters.Representative.Where((r, k) => r != k).Select(r => r).Distinct().Count();
        report.Note = string.Create(CultureInfo.InvariantCulture,
            $"Jaccard >= {near.Threshold} of {near.Ngram}-word shingles; {near.Permutations} permutations, {finder.Banding.Bands} bands × {finder.Banding.Rows} rows; "
            + $"{clusters.CandidatePairs:N0} candidate pairs checked, {clusters.Pairs.Count:N0} matched, {clusterCount:N0} clusters; action {(near.Remove ? "remove" : "keep")}");

        var survivors = new List<int>();
        var position = new Dictionary<int, int>();
        for (int k = 0; k < input.Count; k++)
        {
            var (_, document, bytes) = documents[input[k]];
            if (near.Remove && clusters.Representative[k] != k)
            {
                var match = matchOf[k];
                report.Remove("near_duplicate", document, bytes,
                    string.Create(CultureInfo.InvariantCulture, $"Jaccard {match.Jaccard:0.###} with {documents[input[match.First]].Document.Source}"));
                continue;
            }
            position[k] = survivors.Count;
            survivors.Add(input[k]);
            report.Keep(bytes);
        }
        // Representatives are the earliest of their clusters and always survive, so they have a position.
        var representative = new int[survivors.Count];
        foreach (var (k, at) in position)
            representative[at] = position[clusters.Representative[k]];
        log(Summary(report));
        return (survivors, representative);
    }

    private static (TiktokenEncoding Tokenizer, int Eot, ManifestTokenizer Info) Tokenizer(DatasetConfig config, List<string> trainTexts, Action<string> log)
    {
        var t = config.Tokenizer;
        var clock = Stopwatch.StartNew();
        TiktokenEncoding tokenizer;
        string origin;
        double? trainSeconds = null;
        switch (t.Kind)
        {
            case TokenizerKind.Byte:
                tokenizer = new BpeTrainer(257, TokenizerPattern.Gpt2, [t.Eot]).Train([]);
                origin = "bytes 0-255 and the end-of-text token";
                break;
            case TokenizerKind.Tiktoken:
                var pattern = TokenizerPattern.Parse(t.Pattern);
                int eotId = t.EotId ?? TiktokenEncoding.Load(t.Path!, pattern).VocabSize;
                tokenizer = TiktokenEncoding.Load(t.Path!, pattern, new Dictionary<string, int> { [t.Eot] = eotId });
                origin = t.Path!;
                break;
            case TokenizerKind.Directory:
                tokenizer = TiktokenEncoding.LoadDirectory(t.Path!);
                origin = t.Path!;
                break;
            default:
                tokenizer = new BpeTrainer(t.VocabSize, TokenizerPattern.Parse(t.Pattern), [t.Eot]).Train(trainTexts);
                trainSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
                origin = string.Create(CultureInfo.InvariantCulture, $"trained on the train split: {trainTexts.Count:N0} documents, {trainTexts.Sum(x => (long)Encoding.UTF8.GetByteCount(x)):N0} bytes");
                log(string.Create(CultureInfo.InvariantCulture, $"tokenizer: trained {tokenizer.VocabSize:N0} tokens in {trainSeconds:F1} s"));
                break;
        }
        if (!tokenizer.SpecialTokens.TryGetValue(t.Eot, out int eot))
            throw new InvalidDataException($"{t.Path}: the tokenizer has no special token '{t.Eot}' to end documents with (train it with --special '{t.Eot}', or set tokenizer.eot)");
        var info = new ManifestTokenizer
        {
            Kind = t.Kind.ToString().ToLowerInvariant(),
            VocabSize = tokenizer.VocabSize,
            EotToken = eot,
            Pattern = tokenizer.Pattern.Expression,
            Origin = origin,
            TrainSeconds = trainSeconds,
            Files = [],
        };
        return (tokenizer, eot, info);
    }

    private static List<int> PassThrough(StageReport report, List<(int Source, Document Document, long Bytes)> documents, List<int> input)
    {
        foreach (int i in input)
            report.Keep(documents[i].Bytes);
        return input;
    }

    private static int Count(DatasetSplit[] splits, DatasetSplit split) => splits.Count(s => s == split);

    private static string Summary(StageReport report)
    {
        var removed = string.Join(", ", report.Removed.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Reason} {r.Documents:N0}")));
        return string.Create(CultureInfo.InvariantCulture, $"{report.Stage}: kept {report.DocumentsOut:N0} of {report.DocumentsIn:N0} documents")
            + (removed.Length == 0 ? "" : $" (removed {removed})");
    }
}
