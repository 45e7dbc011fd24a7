using System.Text.Json.Nodes;
using PretrainLab.Data.Datasets;

namespace PretrainLab.Data.Tests.Datasets;

public sealed class DatasetManifestTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        var manifest = SmallDataset.Build(_dir.Path);
        var loaded = DatasetManifest.Load(_dir.Path);
        Assert.Equal(manifest.ToJson(), loaded.ToJson());
        Assert.Equal(manifest.Splits["train"].Shards, loaded.Splits["train"].Shards);
        Assert.Equal(manifest.Tokenizer.Files, loaded.Tokenizer.Files);
    }

    [Fact]
    public void TruncatedAtAnyPoint_IsAnInvalidDataErrorNamingTheFile()
    {
        SmallDataset.Build(_dir.Path);
        string json = File.ReadAllText(Path.Combine(_dir.Path, DatasetManifest.FileName)).TrimEnd();
        for (int length = 0; length < json.Length; length += 7)
        {
            var ex = Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(json[..length], "m.json"));
            Assert.StartsWith("m.json: ", ex.Message);
        }
    }

    [Theory]
    [InlineData("format", "\"other\"", "format: expected \"plab-dataset\"")]
    [InlineData("version", "2", "version: version 2 is not supported")]
    [InlineData("version", "\"1\"", "$.version")]
    [InlineData("name", "null", "$.name")]
    [InlineData("tokenizer.vocab_size", "0", "tokenizer.vocab_size: must be > 0")]
    [InlineData("tokenizer.eot_token", "100000", "tokenizer.eot_token: 100000 is outside")]
    [InlineData("token_bytes.bytes", "12", "token_bytes.bytes: 12 bytes")]
    [InlineData("token_bytes.path", "\"../x.bin\"", "token_bytes.path")]
    [InlineData("splits.train.tokens", "5", "splits.train.tokens: 5, but its shards hold")]
    [InlineData("splits.val.shards.0.file", "\"../../etc/passwd\"", "splits.val.shards[0].file")]
    [InlineData("splits.val.shards.0.tokens", "-1", "splits.val.shards[0].tokens")]
    [InlineData("splits.val.shards.0.version", "2", "splits.val.shards[0].version")]
    [InlineData("splits.val.shards.0.bytes", "1", "splits.val.shards[0].bytes: 1, but")]
    [InlineData("splits.val.shards.0.sha256", "\"abc\"", "splits.val.shards[0].sha256")]
    public void WrongValue_IsNamedByField(string field, string value, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(Edit(field, JsonNode.Parse(value)), "m.json"));
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("splits.val", "the \"val\" split is missing")]
    [InlineData("tokenizer", "tokenizer")]
    [InlineData("splits.train.shards.0.sha256", "sha256")]
    [InlineData("token_bytes", "token_bytes")]
    public void MissingField_IsNamed(string field, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(Edit(field, null, remove: true), "m.json"));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void UnknownSplit_IsRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(Edit("splits.holdout", JsonNode.Parse("""{"documents": 0, "tokens": 0, "text_bytes": 0, "shards": []}""")), "m.json"));
        Assert.Contains("splits.holdout: unknown split", ex.Message);
    }

    private string Edit(string field, JsonNode? value, bool remove = false)
    {
        if (!File.Exists(Path.Combine(_dir.Path, DatasetManifest.FileName)))
            SmallDataset.Build(_dir.Path);
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.Path, DatasetManifest.FileName)))!;
        var parts = field.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
            node = int.TryParse(part, out int index) ? node[index]! : node[part]!;
        if (remove)
            node.AsObject().Remove(parts[^1]);
        else if (int.TryParse(parts[^1], out int last))
            node[last] = value;
        else
            node[parts[^1]] = value;
        return root.ToJsonString();
    }
}
