using System.Runtime.InteropServices;
using PretrainLab.Data.Shards;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Datasets;

/// <summary>
/// Writes the files of a dataset folder: the tokenizer (<c>tokenizer/</c>), the token byte table
/// (<see cref="DatasetManifest.TokenBytesFileName"/>) and each split's shards
/// (<c>{split}_{index:D6}.bin</c>, each at most <see cref="ShardTokens"/> tokens, every document
/// preceded by the end-of-text token as llm.c does). The caller writes the manifest last.
/// </summary>
public sealed class DatasetWriter
{
    /// <summary>The tokenizer's sub-folder.</summary>
    public const string TokenizerFolder = "tokenizer";

    /// <summary>Writes into <paramref name="directory"/> (created if missing) for <paramref name="tokenizer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardTokens"/> is below 1 or above <see cref="int.MaxValue"/>, or <paramref name="eotToken"/> is not a special token of the tokenizer.</exception>
    public DatasetWriter(string directory, TiktokenEncoding tokenizer, int eotToken, long shardTokens)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardTokens, int.MaxValue);
        if (!tokenizer.SpecialTokens.Values.Contains(eotToken))
            throw new ArgumentOutOfRangeException(nameof(eotToken), eotToken, "The end-of-text token must be a special token of the tokenizer.");
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        Tokenizer = tokenizer;
        EotToken = eotToken;
        ShardTokens = shardTokens;
    }

    /// <summary>The dataset folder.</summary>
    public string Directory { get; }

    /// <summary>The tokenizer.</summary>
    public TiktokenEncoding Tokenizer { get; }

    /// <summary>The end-of-text token.</summary>
    public int EotToken { get; }

    /// <summary>Most tokens per shard.</summary>
    public long ShardTokens { get; }

    /// <summary>Saves the tokenizer and the token byte table; returns their manifest entries.</summary>
    public (IReadOnlyList<ManifestFile> TokenizerFiles, ManifestFile TokenBytes) WriteTokenizer()
    {
        Tokenizer.SaveDirectory(Path.Combine(Directory, TokenizerFolder));
        var lengths = Tokenizer.TokenByteLengths;
        File.WriteAllBytes(Path.Combine(Directory, DatasetManifest.TokenBytesFileName), MemoryMarshal.AsBytes(lengths).ToArray());
        ManifestFile[] files =
        [
            ManifestFile.Describe(Directory, $"{TokenizerFolder}/{TiktokenEncoding.RankFileName}"),
            ManifestFile.Describe(Directory, $"{TokenizerFolder}/{TiktokenEncoding.SettingsFileName}"),
        ];
        return (files, ManifestFile.Describe(Directory, DatasetManifest.TokenBytesFileName));
    }

    /// <summary>
    /// Writes split <paramref name="name"/>: for each document, the end-of-text token then its tokens,
    /// cut into shards of at most <see cref="ShardTokens"/> (a document may continue in the next shard).
    /// </summary>
    /// <param name="name">The split's name, used in the shard file names.</param>
    /// <param name="documents">Each document's tokens (without the end-of-text token) and its UTF-8 byte count.</param>
    public ManifestSplit WriteSplit(string name, IEnumerable<(ReadOnlyMemory<int> Tokens, long TextBytes)> documents)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(documents);
        int version = TokenShard.VersionFor(Tokenizer.VocabSize);
        var shards = new List<ManifestShard>();
        long documentCount = 0, tokens = 0, textBytes = 0;
        TokenShardWriter? writer = null;
        int[] eot = [EotToken];
        try
        {
            foreach (var (documentTokens, bytes) in documents)
            {
                documentCount++;
                textBytes += bytes;
                Append(eot);
                Append(documentTokens.Span);
            }
            Close();
        }
        finally
        {
            writer?.Dispose();
        }
        return new ManifestSplit { Documents = documentCount, Tokens = tokens, TextBytes = textBytes, Shards = shards };

        void Append(ReadOnlySpan<int> span)
        {
            while (!span.IsEmpty)
            {
                writer ??= new TokenShardWriter(Path.Combine(Directory, FileName(shards.Count)), version);
                int room = (int)Math.Min(span.Length, ShardTokens - writer.Count);
                writer.Append(span[..room]);
                tokens += room;
                span = span[room..];
                if (writer.Count == ShardTokens)
                    Close();
            }
        }

        void Close()
        {
            if (writer is null)
                return;
            string file = FileName(shards.Count);
            writer.Complete();
            writer.Dispose();
            var described = ManifestFile.Describe(Directory, file);
            shards.Add(new ManifestShard { File = file, Tokens = writer.Count, Version = version, Bytes = described.Bytes, Sha256 = described.Sha256 });
            writer = null;
        }

        string FileName(int index) => $"{name}_{index:D6}.bin";
    }
}
