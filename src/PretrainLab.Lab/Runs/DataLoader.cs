using PretrainLab.Data.Corpora;
using PretrainLab.Data.Shards;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Runs;

/// <summary>Opens the data a recipe names, checking that every token fits the model's vocabulary.</summary>
public static class DataLoader
{
    /// <summary>
    /// Loads <paramref name="spec"/>: a text file as byte-level tokens split by its validation fraction,
    /// or a training and a validation shard. <paramref name="owned"/> receives what must be disposed.
    /// </summary>
    public static TrainingData Load(DataSpec spec, int vocabSize, ICollection<IDisposable> owned)
    {
        if (spec.Format == DataFormat.Text)
        {
            var corpus = TextCorpus.Load(spec.Path, spec.ValFraction);
            return new TrainingData(new TokenArray(corpus.Train), new TokenArray(corpus.Validation), TrainingData.ByteLevelTokenBytes());
        }

        var train = OpenShard(spec.Path, vocabSize, owned);
        var validation = OpenShard(spec.ValPath ?? throw new InvalidDataException("data.val_path: required for shards"), vocabSize, owned);
        // Byte lengths of token ids come with the tokenizer (data pipeline); without it, no bits per byte.
        return new TrainingData(train, validation, TokenBytes: null);
    }

    /// <summary>Opens a single file (text or shard, by content) for evaluation: every token of it, unsplit.</summary>
    public static (ITokenSequence Tokens, int[]? TokenBytes) LoadWhole(string path, int vocabSize, ICollection<IDisposable> owned)
    {
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

    private static ShardTokens OpenShard(string path, int vocabSize, ICollection<IDisposable> owned)
    {
        var shard = TokenShard.Open(path);
        owned.Add(shard);
        // One pass over the ids now rather than a failure mid-run.
        var max = 0;
        const int chunk = 1 << 20;
        for (long start = 0; start < shard.Count; start += chunk)
        {
            foreach (var id in shard.Slice(start, (int)Math.Min(chunk, shard.Count - start)))
                max = Math.Max(max, id);
        }
        if (max >= vocabSize)
            throw new InvalidDataException($"{shard.Path}: token id {max} does not fit model.vocab_size {vocabSize}");
        return new ShardTokens(shard);
    }
}
