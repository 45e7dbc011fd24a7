using System.Buffers.Binary;
using PretrainLab.Data.Shards;
using PretrainLab.Data.Splits;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Datasets;

/// <summary>
/// An open dataset folder (written by <see cref="DatasetWriter"/>): its checked manifest, the token
/// byte table, and every split's shards, memory-mapped.
/// </summary>
/// <remarks>
/// Opening checks everything the manifest promises before anything trains on it: each listed file
/// exists with the listed size and SHA-256, each shard's header agrees with the manifest's count and
/// version, and no token is outside the vocabulary. Hashing reads every byte once (about 1 GB/s).
/// </remarks>
public sealed class TokenDataset : IDisposable
{
    private readonly Dictionary<DatasetSplit, TokenShard[]> _shards;

    private TokenDataset(string directory, DatasetManifest manifest, int[] tokenBytes, Dictionary<DatasetSplit, TokenShard[]> shards)
    {
        Directory = directory;
        Manifest = manifest;
        TokenBytes = tokenBytes;
        _shards = shards;
    }

    /// <summary>Absolute path of the dataset folder.</summary>
    public string Directory { get; }

    /// <summary>The manifest.</summary>
    public DatasetManifest Manifest { get; }

    /// <summary>Token ids are below this.</summary>
    public int VocabSize => Manifest.Tokenizer.VocabSize;

    /// <summary>UTF-8 bytes each token id stands for (0 for special tokens), for bits per byte.</summary>
    public int[] TokenBytes { get; }

    /// <summary>Opens and checks the dataset in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder or its manifest does not exist.</exception>
    /// <exception cref="InvalidDataException">The manifest is invalid, or a file it lists is missing or differs from it; the message names the file.</exception>
    public static TokenDataset Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        directory = Path.GetFullPath(directory);
        var manifest = DatasetManifest.Load(directory);
        foreach (var file in manifest.Tokenizer.Files)
            Verify(directory, file.Path, file.Bytes, file.Sha256);
        Verify(directory, manifest.TokenBytes.Path, manifest.TokenBytes.Bytes, manifest.TokenBytes.Sha256);
        int[] tokenBytes = ReadTokenBytes(Path.Combine(directory, manifest.TokenBytes.Path), manifest.Tokenizer.VocabSize);

        var shards = new Dictionary<DatasetSplit, TokenShard[]>();
        var opened = new List<TokenShard>();
        try
        {
            foreach (var split in Enum.GetValues<DatasetSplit>())
            {
                var listedShards = manifest.Splits.GetValueOrDefault(DatasetManifest.SplitName(split))?.Shards ?? [];
                var splitShards = new TokenShard[listedShards.Count];
                for (int i = 0; i < splitShards.Length; i++)
                {
                    var listed = listedShards[i];
                    Verify(directory, listed.File, listed.Bytes, listed.Sha256);
                    var shard = TokenShard.Open(Path.Combine(directory, listed.File));
                    opened.Add(shard);
                    if (shard.Count != listed.Tokens || shard.FormatVersion != listed.Version)
                        throw new InvalidDataException($"{shard.Path}: the header says {shard.Count} tokens at version {shard.FormatVersion}, the manifest {listed.Tokens} at version {listed.Version}");
                    if (shard.MaxToken() is { } max && max >= manifest.Tokenizer.VocabSize)
                        throw new InvalidDataException($"{shard.Path}: token {max} is outside the dataset's vocabulary of {manifest.Tokenizer.VocabSize}");
                    splitShards[i] = shard;
                }
                shards[split] = splitShards;
            }
        }
        catch
        {
            foreach (var shard in opened)
                shard.Dispose();
            throw;
        }
        return new TokenDataset(directory, manifest, tokenBytes, shards);
    }

    /// <summary>The shards of <paramref name="split"/> in order (none when the dataset lacks the split).</summary>
    public IReadOnlyList<TokenShard> Shards(DatasetSplit split) => _shards[split];

    /// <summary>Loads the tokenizer stored in the dataset's <c>tokenizer/</c> folder.</summary>
    /// <exception cref="InvalidDataException">Its files are malformed or disagree with the manifest.</exception>
    public TiktokenEncoding LoadTokenizer()
    {
        var encoding = TiktokenEncoding.LoadDirectory(Path.Combine(Directory, DatasetWriter.TokenizerFolder));
        if (encoding.VocabSize != VocabSize)
            throw new InvalidDataException($"{Path.Combine(Directory, DatasetWriter.TokenizerFolder)}: the tokenizer has {encoding.VocabSize} ids, the manifest says {VocabSize}");
        return encoding;
    }

    /// <summary>Unmaps every shard.</summary>
    public void Dispose()
    {
        foreach (var shard in _shards.Values.SelectMany(s => s))
            shard.Dispose();
    }

    private static void Verify(string directory, string relativePath, long bytes, string sha256)
    {
        string path = Path.Combine(directory, relativePath);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new InvalidDataException($"{path}: listed in {DatasetManifest.FileName} but missing");
        if (info.Length != bytes)
            throw new InvalidDataException($"{path}: {info.Length} bytes, but {DatasetManifest.FileName} lists {bytes}");
        string actual = ManifestFile.Sha256Of(path);
        if (actual != sha256)
            throw new InvalidDataException($"{path}: SHA-256 {actual} differs from {sha256} in {DatasetManifest.FileName}; the file changed after the dataset was built");
    }

    private static int[] ReadTokenBytes(string path, int vocabSize)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length != 4L * vocabSize)
            throw new InvalidDataException($"{path}: {raw.Length} bytes, but {vocabSize} int32 entries need {4L * vocabSize}");
        var lengths = new int[vocabSize];
        for (int id = 0; id < vocabSize; id++)
        {
            lengths[id] = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * id));
            if (lengths[id] < 0)
                throw new InvalidDataException($"{path}: token {id} has byte length {lengths[id]}");
        }
        return lengths;
    }
}
