using System.Text.Json;

namespace PretrainLab.Cli.Tests;

public sealed class BenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plab-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void JsonHasTheDocumentedFieldsAllPositive()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "bench", "--preset", "tiny", "--steps", "2", "--warmup", "1", "--warmup-seconds", "0", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("tiny", json.GetProperty("preset").GetString());
        foreach (var field in new[]
                 {
                     "threads", "n_layer", "n_embd", "block_size", "batch_size", "vocab_size", "params", "flops_per_token", "warmup", "warmup_seconds",
                     "tokens_per_second", "gflops", "fma_ceiling_gflops", "ceiling_fraction", "peak_rss_bytes", "model_bytes",
                 })
        {
            Assert.True(json.TryGetProperty(field, out var value), $"missing '{field}' in {stdout}");
            Assert.True(value.GetDouble() > 0, $"'{field}' is not positive in {stdout}");
        }
        var steps = json.GetProperty("step_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.True(s > 0));
        Assert.Equal(128, json.GetProperty("n_embd").GetInt32());
    }

    [Fact]
    public void TextOutputIsATable()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "bench", "--steps", "1", "--warmup", "0", "--warmup-seconds", "0", "--threads", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("tok/s", stdout);
        Assert.Contains("GFLOP/s", stdout);
        Assert.Contains("FMA ceiling", stdout);
        Assert.Contains("tiny", stdout);
    }

    [Fact]
    public void UnknownPresetIsExitCodeTwoWithTheChoices()
    {
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "bench", "--preset", "huge");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("unknown preset 'huge'", stderr);
        Assert.Contains("tiny, baby, gpt2s or all", stderr);
    }

    [Fact]
    public void NonPositiveStepsAreRejected()
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "bench", "--steps", "0");
        Assert.Equal(2, code);
        Assert.Contains("--steps must be >= 1", stderr);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void NegativeOrNanWarmupSecondsAreRejected(string seconds)
    {
        var (code, _, stderr) = PlabProcess.Run(_dir, "bench", "--warmup-seconds", seconds);
        Assert.Equal(2, code);
        Assert.Contains($"--warmup-seconds must be a finite number >= 0, got {seconds}", stderr);
    }
}
