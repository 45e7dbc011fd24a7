using System.Text.Json;

namespace PretrainLab.Cli.Tests;

public sealed class TokenizerCommandTests : IDisposable
{
    private const string Text = "Hello world! Ünïcödé, emoji 🙂 and <|endoftext|> as plain text.\nSecond line.";

    private static readonly string R50k = Path.Combine(PlabProcess.RepositoryRoot, "tests", "PretrainLab.Data.Tests", "Fixtures", "r50k_base.tiktoken");

    private readonly string _dir = Directory.CreateTempSubdirectory("plab-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrainThenEncodeAndDecode_RoundTripsThroughStdin()
    {
        var corpus = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(corpus, File.ReadAllText(Path.Combine(PlabProcess.RepositoryRoot, "samples", "data", "tinyshakespeare.txt"))[..20_000]);
        var (code, stdout, stderr) = PlabProcess.Run(_dir, "tokenizer", "train", "corpus.txt", "--vocab-size", "300", "--out", "tok", "--json");
        Assert.True(code == 0, stderr);
        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(300, summary.GetProperty("vocab_size").GetInt32());
        Assert.True(summary.GetProperty("train_seconds").GetDouble() >= 0);

        var (encodeCode, ids, encodeErr) = PlabProcess.RunWithInput(_dir, Text, "tokenizer", "encode", "--tokenizer", "tok");
        Assert.True(encodeCode == 0, encodeErr);
        var tokens = JsonSerializer.Deserialize<int[]>(ids)!;
        Assert.True(tokens.Length < Text.Length, "merges shorten the text");
        Assert.DoesNotContain(299, tokens);

        var (decodeCode, text, decodeErr) = PlabProcess.RunWithInput(_dir, ids, "tokenizer", "decode", "--tokenizer", "tok");
        Assert.True(decodeCode == 0, decodeErr);
        Assert.Equal(Text, text);
    }

    [Fact]
    public void R50kBase_GivesGpt2Ids_AndAllowsTheEndOfTextToken()
    {
        var (code, stdout, stderr) = PlabProcess.RunWithInput(_dir, "Hello world", "tokenizer", "encode", "--tiktoken", R50k);
        Assert.True(code == 0, stderr);
        Assert.Equal("[15496,995]\n", stdout);
        (code, stdout, stderr) = PlabProcess.RunWithInput(_dir, "a<|endoftext|>", "tokenizer", "encode", "--tiktoken", R50k, "--allow-special");
        Assert.True(code == 0, stderr);
        Assert.Equal("[64,50256]\n", stdout);
        var (_, text, _) = PlabProcess.RunWithInput(_dir, "[15496, 995, 50256]", "tokenizer", "decode", "--tiktoken", R50k);
        Assert.Equal("Hello world<|endoftext|>", text);
    }

    [Theory]
    [InlineData("", new[] { "tokenizer", "encode" }, "give exactly one of --tiktoken FILE or --tokenizer DIR")]
    [InlineData("", new[] { "tokenizer", "encode", "--tokenizer", "absent" }, "tokenizer folder not found")]
    [InlineData("", new[] { "tokenizer", "encode", "--tiktoken", "absent.tiktoken" }, "rank file not found")]
    [InlineData("[1, 2", new[] { "tokenizer", "decode", "--tiktoken", "R50K" }, "stdin: expected a JSON array of token ids")]
    [InlineData("[99999999]", new[] { "tokenizer", "decode", "--tiktoken", "R50K" }, "Token 99999999 at position 0 is not in the vocabulary")]
    [InlineData("", new[] { "tokenizer", "encode", "--tiktoken", "R50K", "--pattern", "((" }, "--pattern: not gpt2, cl100k or a valid regular expression")]
    [InlineData("", new[] { "tokenizer", "encode", "--tiktoken", "R50K", "--special", "x" }, "--special expects NAME=ID, got 'x'")]
    [InlineData("", new[] { "tokenizer", "train", "missing.txt", "--vocab-size", "300", "--out", "t" }, "corpus path not found")]
    [InlineData("", new[] { "tokenizer", "train", "bad.txt", "--vocab-size", "100", "--out", "t" }, "--vocab-size / --special")]
    public void BadInput_IsOneLineAndExitCode2(string input, string[] args, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "bad.txt"), "x");
        var (code, stdout, stderr) = PlabProcess.RunWithInput(_dir, input, args.Select(a => a == "R50K" ? R50k : a).ToArray());
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
    }
}
