using PretrainLab.Data.Corpora;
using PretrainLab.Data.Datasets;
using PretrainLab.Data.Shards;
using PretrainLab.Data.Splits;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Runs;

/// <summary>Opens the data a recipe names, checking that every token fits the model's vocabulary.</summary>
public static class DataLoader
{
    /// <summary>
    /// Loads <paramref name="spec"/>: a text file as byte-level tokens split by its validation fraction,
    /// a training and a validation shard, or a dataset folder's train and val splits with its token
    /// byte lengths (checked against its manifest first). <paramref name="owned"/> receives what must be disposed.
    /// </summary>
    public static TrainingData Load(DataSpec spec, int vocabSize, ICollection<IDisposable> owned)
    {
        if (spec.Format == DataFormat.Text)
        {
            var corpus = TextCorpus.Load(spec.Path, spec.ValFraction);
            return new TrainingData(new TokenArray(corpus.Train), new TokenArray(corpus.Validation), TrainingData.ByteLevelTokenBytes());
        }
        if (spec.Format == DataFormat.Dataset)
        {
            var dataset = OpenDataset(spec.Path, vocabSize, owned);
            return new TrainingData(Split(dataset, DatasetSplit.Train), Split(dataset, DatasetSplit.Val), dataset.TokenBytes);
        }

        var train = OpenShard(spec.Path, vocabSize, owned);
        var validation = OpenShard(spec.ValPath ?? throw new InvalidDataException("data.val_path: required for shards"), vocabSize, owned);
        // Byte lengths of token ids come with the tokenizer (data pipeline); without it, no bits per byte.
        return new TrainingData(train, validation, TokenBytes: null);
    }

    /// <summary>
    /// Opens data for evaluation: every token of a text file or shard (by content), or a dataset folder's
    /// val split with its token byte lengths.
    /// </summary>
    public static (ITokenSequence Tokens, int[]? TokenBytes) LoadWhole(string path, int vocabSize, ICollection<IDisposable> owned)
    {
        if (Directory.Exists(path))
        {
            var dataset = OpenDataset(path, vocabSize, owned);
            return (Split(dataset, DatasetSplit.Val), dataset.TokenBytes);
        }
        if (!File.Exists(path))
            throw new FileNotFoundException($"data file not found: {Path.GetFullPath(path)}", path);
        if (IsShard(path))
            return (OpenShard(path, vocabSize, owned), null);
        var bytes = File.ReadAllBytes(path);
        if (vocabSize < 256)
            throw new InvalidDataException($"{path}: byte-level text needs a vocabulary of 256, the model has {vocabSize}");
        return (new TokenArray(bytes), TrainingData.ByteLevelTokenBytes());
    }

    private static bool IsShard(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return f.Read(head) == 4 && BitConverter.ToInt32(head) == TokenShard.Magic;
    }

    private static TokenDataset OpenDataset(string path, int vocabSize, ICollection<IDisposable> owned)
    {
        var dataset = TokenDataset.Open(path);
        owned.Add(dataset);
        // Opening checked every id against the dataset's vocabulary; a larger (padded) model vocabulary is fine.
        if (dataset.VocabSize > vocabSize)
            throw new InvalidDataException($"{Path.Combine(dataset.Directory, DatasetManifest.FileName)}: the dataset's vocabulary of {dataset.VocabSize} ids does not fit model.vocab_size {vocabSize}");
        return dataset;
    }

    private static ShardTokens Split(TokenDataset dataset, DatasetSplit split)
    {
        var tokens = new ShardTokens(dataset.Shards(split));
        if (tokens.Count < TextCorpus.MinimumSplitTokens)
            throw new InvalidDataException($"{Path.Combine(dataset.Directory, DatasetManifest.FileName)}: the {DatasetManifest.SplitName(split)} split has {tokens.Count} tokens; training needs at least {TextCorpus.MinimumSplitTokens}");
        return tokens;
    }

    private static ShardTokens OpenShard(string path, int vocabSize, ICollection<IDisposable> owned)
    {
        var shard = TokenShard.Open(path);
        owned.Add(shard);
        // One pass over the ids now rather than a failure mid-run.
        if (shard.MaxToken() is { } max && max >= vocabSize)
            throw new InvalidDataException($"{shard.Path}: token id {max} does not fit model.vocab_size {vocabSize}");
        return new ShardTokens([shard]);
    }
}
