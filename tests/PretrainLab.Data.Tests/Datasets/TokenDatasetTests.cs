using System.Text;
using PretrainLab.Data.Datasets;
using PretrainLab.Data.Shards;
using PretrainLab.Data.Splits;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Datasets;

public sealed class TokenDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WrittenDataset_OpensWithEveryDocumentAfterAnEndOfTextToken()
    {
        var manifest = SmallDataset.Build(_dir.Path);
        using var dataset = TokenDataset.Open(_dir.Path);
        var tokenizer = dataset.LoadTokenizer();
        int eot = dataset.Manifest.Tokenizer.EotToken;

        var train = Concatenate(dataset.Shards(DatasetSplit.Train));
        Assert.True(dataset.Shards(DatasetSplit.Train).Count > 1, "200-token shards split the train split");
        Assert.All(dataset.Shards(DatasetSplit.Train).SkipLast(1), s => Assert.Equal(200, s.Count));
        Assert.Equal(manifest.Splits["train"].Tokens, train.Length);
        Assert.Equal(eot, train[0]);
        var documents = Split(train, eot).Select(d => tokenizer.DecodeToString(d)).ToArray();
        Assert.Equal(SmallDataset.TrainTexts, documents);
        Assert.Equal(SmallDataset.ValTexts, Split(Concatenate(dataset.Shards(DatasetSplit.Val)), eot).Select(d => tokenizer.DecodeToString(d)));
        Assert.Empty(dataset.Shards(DatasetSplit.Test));
    }

    [Fact]
    public void TokenByteTable_SumsToTheTextBytes_AndGivesBitsPerByte()
    {
        SmallDataset.Build(_dir.Path);
        using var dataset = TokenDataset.Open(_dir.Path);
        var val = Concatenate(dataset.Shards(DatasetSplit.Val));
        long bytes = val.Sum(t => (long)dataset.TokenBytes[t]);
        Assert.Equal(SmallDataset.ValTexts.Sum(t => Encoding.UTF8.GetByteCount(t)), bytes);
        Assert.Equal(dataset.Manifest.Splits["val"].TextBytes, bytes);
        Assert.Equal(0, dataset.TokenBytes[dataset.Manifest.Tokenizer.EotToken]);

        // Bits per byte from a per-token loss: total nats / (ln 2 × bytes of the predicted tokens).
        // A model that is uniform over the vocabulary loses ln V nats on every token.
        double nats = val.Length * Math.Log(dataset.VocabSize);
        double bpb = nats / (Math.Log(2) * bytes);
        Assert.Equal(Math.Log2(dataset.VocabSize) * val.Length / bytes, bpb, 12);
    }

    [Fact]
    public void WideVocabulary_IsStoredInVersion2Shards()
    {
        // The 256 byte tokens and an end-of-text token at 69,999: 70,000 ids need uint32 tokens.
        string directory = _dir.File("wide");
        var bytes = Enumerable.Range(0, 256).Select(b => (new[] { (byte)b }, b)).ToList();
        var tokenizer = new TiktokenEncoding(bytes, TokenizerPattern.Gpt2, new Dictionary<string, int> { [TiktokenEncoding.EndOfText] = 69_999 });
        var writer = new DatasetWriter(directory, tokenizer, 69_999, shardTokens: 1000);
        var split = writer.WriteSplit("train", [(tokenizer.Encode("ab"), 2L)]);
        Assert.Equal(TokenShard.WideVersion, Assert.Single(split.Shards).Version);
        using var shard = TokenShard.Open(Path.Combine(directory, split.Shards[0].File));
        Assert.Equal([69_999u, 'a', 'b'], new[] { shard[0], shard[1], shard[2] });
    }

    [Fact]
    public void ChangedShardByte_IsDetectedByItsHash()
    {
        var manifest = SmallDataset.Build(_dir.Path);
        string shard = Path.Combine(_dir.Path, manifest.Splits["val"].Shards[0].File);
        var bytes = File.ReadAllBytes(shard);
        bytes[^1] ^= 1;
        File.WriteAllBytes(shard, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => TokenDataset.Open(_dir.Path).Dispose());
        Assert.Contains(shard, ex.Message);
        Assert.Contains("SHA-256", ex.Message);
    }

    [Fact]
    public void TruncatedOrMissingShard_IsNamed()
    {
        var manifest = SmallDataset.Build(_dir.Path);
        string shard = Path.Combine(_dir.Path, manifest.Splits["train"].Shards[1].File);
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..^2]);
        var ex = Assert.Throws<InvalidDataException>(() => TokenDataset.Open(_dir.Path).Dispose());
        Assert.Contains(shard, ex.Message);
        Assert.Contains("bytes", ex.Message);

        File.Delete(shard);
        ex = Assert.Throws<InvalidDataException>(() => TokenDataset.Open(_dir.Path).Dispose());
        Assert.Contains(shard, ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void ShardOfTheListedSizeButAnotherHeader_IsCaughtAgainstTheManifest()
    {
        // A version-2 shard of half the tokens has the listed size; with its hash put in the manifest,
        // only the header check can tell.
        var manifest = SmallDataset.Build(_dir.Path);
        var listed = manifest.Splits["val"].Shards[0];
        string path = Path.Combine(_dir.Path, listed.File);
        TokenShard.Write(path, new uint[listed.Tokens / 2]);
        Assert.Equal(listed.Tokens % 2 == 0 ? listed.Bytes : listed.Bytes - 2, new FileInfo(path).Length);
        if (listed.Tokens % 2 != 0)
            File.AppendAllText(path, "\0\0");
        var tampered = manifest with
        {
            Splits = new Dictionary<string, ManifestSplit>(manifest.Splits)
            {
                ["val"] = manifest.Splits["val"] with { Shards = [listed with { Sha256 = ManifestFile.Sha256Of(path) }, .. manifest.Splits["val"].Shards.Skip(1)] },
            },
        };
        tampered.Save(_dir.Path);
        var ex = Assert.Throws<InvalidDataException>(() => TokenDataset.Open(_dir.Path).Dispose());
        Assert.Contains(listed.File, ex.Message);
        Assert.Contains("the header says", ex.Message);
    }

    [Fact]
    public void ChangedTokenByteTable_IsDetected()
    {
        SmallDataset.Build(_dir.Path);
        string path = Path.Combine(_dir.Path, DatasetManifest.TokenBytesFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[4 * 65] = 9;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => TokenDataset.Open(_dir.Path).Dispose());
        Assert.Contains(DatasetManifest.TokenBytesFileName, ex.Message);
    }

    [Fact]
    public void MissingFolderOrManifest_IsFileNotFound()
    {
        Assert.Contains("dataset folder not found", Assert.Throws<FileNotFoundException>(() => TokenDataset.Open(_dir.File("absent"))).Message);
        Assert.Contains("manifest.json", Assert.Throws<FileNotFoundException>(() => TokenDataset.Open(_dir.Path)).Message);
    }

    private static int[] Concatenate(IReadOnlyList<TokenShard> shards)
    {
        var all = new List<int>();
        foreach (var shard in shards)
        {
            var tokens = new int[shard.Count];
            shard.CopyTo(0, tokens);
            all.AddRange(tokens);
        }
        return [.. all];
    }

    private static IEnumerable<int[]> Split(int[] tokens, int eot)
    {
        var starts = Enumerable.Range(0, tokens.Length).Where(i => tokens[i] == eot).Append(tokens.Length).ToArray();
        for (int k = 0; k + 1 < starts.Length; k++)
            yield return tokens[(starts[k] + 1)..starts[k + 1]];
    }
}
