using System.Text.Json;

namespace PretrainLab.Cli.Tests;

public sealed class DataCommandTests : IDisposable
{
    private const string Config = """
        name: cli-data
        sources:
          - name: shakespeare
            paths: corpus.txt
            separator: blank_lines
        cleaning:
          quality_filter: {words: {min: 3}}
        splits: {val: 0.1}
        tokenizer: {kind: train, vocab_size: 300}
        """;

    private const string Recipe = """
        name: cli-dataset
        model: {n_layer: 1, n_head: 2, n_embd: 16, block_size: 16, vocab_size: 300}
        data: {format: dataset, path: ds}
        train: {batch_size: 2}
        budget: {steps: 6}
        eval: {interval: 3, tokens: 256}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("plab-data-").FullName;

    public DataCommandTests()
    {
        var shakespeare = File.ReadAllText(Path.Combine(PlabProcess.RepositoryRoot, "samples", "data", "tinyshakespeare.txt"));
        File.WriteAllText(Path.Combine(_dir, "corpus.txt"), shakespeare[..30_000]);
        File.WriteAllText(Path.Combine(_dir, "data.yaml"), Config);
        File.WriteAllText(Path.Combine(_dir, "tiny.yaml"), Recipe);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PrepareThenTrain_ReportsValBitsPerByte()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "data", "prepare", "data.yaml", "--out", "ds");
        Assert.True(code == 0, stderr);
        Assert.Contains("stage      exact_dedup", stdout);
        Assert.Contains("split      train", stdout);
        Assert.Contains("read shakespeare", stderr);
        Assert.True(File.Exists(Path.Combine(_dir, "ds", "manifest.json")));

        (code, stdout, stderr) = PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run", "--json");
        Assert.True(code == 0, stderr);
        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("finished", summary.GetProperty("status").GetString());
        Assert.True(summary.GetProperty("val_bpb").GetDouble() > 0, stdout);

        (code, stdout, stderr) = PlabProcess.Run(_dir, "eval", "--checkpoint", "run", "--data", "ds", "--json");
        Assert.True(code == 0, stderr);
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("bpb").GetDouble() > 0, stdout);

        (code, stdout, stderr) = PlabProcess.Run(_dir, "data", "inspect", "ds");
        Assert.True(code == 0, stderr);
        Assert.Contains("tokenizer  train, 300 ids", stdout);
        Assert.Contains("sample     first", stdout);

        (code, _, stderr) = PlabProcess.Run(_dir, "data", "prepare", "data.yaml", "--out", "ds");
        Assert.Equal(2, code);
        Assert.Contains("--force", stderr);
    }

    [Fact]
    public void DamagedDataset_IsNamedByInspectAndTrain()
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "data", "prepare", "data.yaml", "--out", "ds");
        Assert.True(code == 0, stderr);
        var shard = Path.Combine(_dir, "ds", "val_000000.bin");
        var bytes = File.ReadAllBytes(shard);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(shard, bytes);

        (code, var stdout, stderr) = PlabProcess.Run(_dir, "data", "inspect", "ds");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("val_000000.bin", line);
        Assert.Contains("SHA-256", line);

        (code, _, stderr) = PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run");
        Assert.NotEqual(0, code);
        Assert.Contains("val_000000.bin", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void BadConfig_GivesOneLinePerProblemAndExitCode2()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), "name: x\nsources: [{name: a, paths: none.txt}]\ntokenizer: {kind: bpe}\nsplits: {vall: 0.1}\n");
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "data", "prepare", "bad.yaml");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains("bad.yaml:2: sources[0].paths: not found:"));
        Assert.Contains(lines, l => l.Contains("bad.yaml:3: tokenizer.kind: must be one of byte, tiktoken, directory, train, got 'bpe'"));
        Assert.Contains(lines, l => l.Contains("bad.yaml:4: splits.vall: unknown key; did you mean 'splits.val'?"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "datasets")));
    }

    [Fact]
    public void MalformedCorpus_IsNamedWithItsLine()
    {
        File.WriteAllText(Path.Combine(_dir, "docs.jsonl"), "{\"text\": \"fine\"}\n{\"txt\": \"oops\"}\n");
        File.WriteAllText(Path.Combine(_dir, "jsonl.yaml"), "name: j\nsources: [{name: a, paths: docs.jsonl}]\n");
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "data", "prepare", "jsonl.yaml");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("docs.jsonl, line 2: the object has no field \"text\"", line);
    }

    [Fact]
    public void MissingConfigOrDataset_IsExitCode2()
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "data", "prepare", "absent.yaml");
        Assert.Equal(2, code);
        Assert.Contains("data configuration not found", stderr);
        (code, _, stderr) = PlabProcess.Run(_dir, "data", "inspect", "nowhere");
        Assert.Equal(2, code);
        Assert.Contains("dataset folder not found", stderr);
    }
}
