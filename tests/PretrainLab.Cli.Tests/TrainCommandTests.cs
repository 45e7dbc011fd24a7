using System.Text.Json;

namespace PretrainLab.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private const string Recipe = """
        name: cli-tiny
        model: {n_layer: 1, n_head: 2, n_embd: 16, block_size: 8, vocab_size: 256}
        data: {format: text, path: corpus.txt}
        train: {batch_size: 2}
        budget: {steps: 6}
        eval: {interval: 3, tokens: 256}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("plab-cli-").FullName;

    public TrainCommandTests()
    {
        var text = string.Concat(Enumerable.Repeat("To be, or not to be, that is the question.\n", 60));
        File.WriteAllText(Path.Combine(_dir, "corpus.txt"), text);
        File.WriteAllText(Path.Combine(_dir, "tiny.yaml"), Recipe);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void JsonSummaryHasTheDocumentedFields()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run1", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        foreach (var field in new[] { "val_loss", "val_bpb", "tokens", "steps", "tokens_per_second", "flops", "wall_seconds", "train_seconds", "status" })
            Assert.True(json.TryGetProperty(field, out _), $"missing '{field}' in {stdout}");
        Assert.Equal(6, json.GetProperty("steps").GetInt64());
        Assert.Equal("finished", json.GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(_dir, "run1", "checkpoint", "model.safetensors")));
    }

    [Fact]
    public void TextSummaryNamesTheMetrics()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run2", "--set", "budget.steps=2");
        Assert.True(code == 0, stderr);
        Assert.Contains("val loss", stdout);
        Assert.Contains("val bpb", stdout);
        Assert.Contains("tokens/s", stdout);
    }

    [Fact]
    public void EachRecipeErrorGetsOneLineAndExitCodeTwo()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "train", "tiny.yaml",
            "--set", "model.n_embd=15", "--set", "optim.lr=0", "--set", "model.n_layers=2");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains("model.n_layers: unknown key; did you mean 'model.n_layer'?"));
        Assert.Contains(lines, l => l.Contains("model.n_embd: 15 is not divisible by model.n_head (2)"));
        Assert.Contains(lines, l => l.Contains("optim.lr: must be > 0, got 0"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")), "no compute or output before validation");
    }

    [Fact]
    public void MissingCorpusIsNamed()
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "train", "tiny.yaml", "--set", "data.path=nowhere.txt");
        Assert.Equal(2, code);
        Assert.Contains("data.path: file not found:", stderr);
        Assert.Contains("nowhere.txt", stderr);
    }

    [Fact]
    public void MissingRecipeFileIsAClearError()
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "train", "absent.yaml");
        Assert.Equal(2, code);
        Assert.Contains("absent.yaml", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void ResumeOfAFinishedRunKeepsItsResult()
    {
        var (code, first, _) = PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run3", "--json");
        Assert.Equal(0, code);
        var (code2, second, stderr) = PlabProcess.Run(_dir, "train", "--resume", "run3", "--json");
        Assert.True(code2 == 0, stderr);
        var a = JsonDocument.Parse(first).RootElement;
        var b = JsonDocument.Parse(second).RootElement;
        Assert.Equal(a.GetProperty("val_loss").GetDouble(), b.GetProperty("val_loss").GetDouble());
        Assert.Equal(6, b.GetProperty("steps").GetInt64());
    }

    [Fact]
    public void EvalPrintsLossAndBitsPerByte()
    {
        Assert.Equal(0, PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run4", "--json").ExitCode);
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "eval", "--checkpoint", "run4", "--data", "corpus.txt", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        var loss = json.GetProperty("loss").GetDouble();
        Assert.InRange(loss, 0.1, Math.Log(256) + 1);
        Assert.Equal(loss / Math.Log(2), json.GetProperty("bpb").GetDouble(), 9);
    }

    [Fact]
    public void EvalWithAStrideScoresEveryTokenOnceAndRefusesAStrideAboveTheBlock()
    {
        Assert.Equal(0, PlabProcess.Run(_dir, "train", "tiny.yaml", "--out", "run6", "--json").ExitCode);
        var (code, consecutive, stderr) = PlabProcess.Run(_dir, "eval", "--checkpoint", "run6", "--data", "corpus.txt", "--json");
        Assert.True(code == 0, stderr);
        (code, var sliding, stderr) = PlabProcess.Run(_dir, "eval", "--checkpoint", "run6", "--data", "corpus.txt", "--stride", "1", "--json");
        Assert.True(code == 0, stderr);
        // With stride 1 every token but the first (which nothing predicts) is scored; consecutive windows drop the tail.
        var all = new FileInfo(Path.Combine(_dir, "corpus.txt")).Length - 1;
        Assert.Equal(all, JsonDocument.Parse(sliding).RootElement.GetProperty("tokens").GetInt64());
        Assert.True(JsonDocument.Parse(consecutive).RootElement.GetProperty("tokens").GetInt64() <= all);

        (code, _, stderr) = PlabProcess.Run(_dir, "eval", "--checkpoint", "run6", "--data", "corpus.txt", "--stride", "100000");
        Assert.Equal(1, code);
        Assert.Contains("--stride 100000", stderr);
        Assert.Contains("block size", stderr);
    }

    [Fact]
    public void EvalOfSomethingThatIsNotACheckpointSaysSo()
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "eval", "--checkpoint", _dir, "--data", "corpus.txt");
        Assert.NotEqual(0, code);
        Assert.Contains("not a checkpoint", stderr);
    }

    [Fact]
    public void CtrlCSavesACheckpointAndExitsWith130()
    {
        using var train = PlabProcess.Start(_dir, "train", "tiny.yaml", "--out", "run5", "--set", "budget.steps=1000000", "--json");
        var metrics = Path.Combine(_dir, "run5", "metrics.jsonl");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(File.Exists(metrics) && new FileInfo(metrics).Length > 0) && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(20);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", train.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        var stdout = train.StandardOutput.ReadToEnd();
        Assert.True(train.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(130, train.ExitCode);
        Assert.Equal("cancelled", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(_dir, "run5", "checkpoint", "model.safetensors")));
    }
}
