using PretrainLab.Data.Corpora;
using PretrainLab.Lab.Datasets;

namespace PretrainLab.Lab.Tests.Datasets;

public sealed class DatasetConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plab-dataconfig-").FullName;

    public DatasetConfigLoaderTests() => File.WriteAllText(Path.Combine(_dir, "a.txt"), "text");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DatasetConfig Parse(string yaml) => DatasetConfigLoader.Parse(yaml, Path.Combine(_dir, "data.yaml"));

    private IReadOnlyList<string> Errors(string yaml) => Assert.Throws<DatasetConfigException>(() => Parse(yaml)).Errors;

    [Fact]
    public void Minimal_GetsTheDocumentedDefaults()
    {
        var config = Parse("name: tiny\nsources:\n  - {name: a, paths: a.txt}\n");
        Assert.Equal("tiny", config.Name);
        Assert.Equal(1337, config.Seed);
        var source = Assert.Single(config.Sources);
        Assert.Equal([Path.Combine(_dir, "a.txt")], source.Corpus.Paths);
        Assert.Null(source.Corpus.Format);
        Assert.Same(DocumentSeparator.None, source.Corpus.Separator);
        Assert.Equal(1, source.Weight);
        Assert.True(config.ExactDedup);
        Assert.Equal(new Data.Cleaning.QualityFilterOptions().MinWords, config.Quality!.MinWords);
        Assert.Equal(0.8, config.NearDedup!.Threshold);
        Assert.True(config.NearDedup.Remove);
        Assert.Equal(0.05, config.ValFraction);
        Assert.Equal(0, config.TestFraction);
        Assert.Equal(TokenizerKind.Byte, config.Tokenizer.Kind);
        Assert.Null(config.TrainTokens);
        Assert.Equal(100_000_000, config.ShardTokens);
        Assert.Null(config.Output);
    }

    [Fact]
    public void EverySection_IsRead()
    {
        var config = Parse("""
            name: full
            seed: 7
            output: out/ds
            sources:
              - name: a
                paths: [a.txt]
                format: text
                separator: literal
                separator_text: "<doc>"
                weight: 3
              - name: b
                paths: a.txt
                format: jsonl
                text_field: body
            cleaning:
              exact_dedup: {enabled: false}
              quality_filter:
                words: {min: 5, max: null}
                digit_ratio: {enabled: false}
                top_ngram: {max: {2: 0.5}}
              near_dedup: {threshold: 0.7, ngram: 3, permutations: 64, bands: 16, rows: 4, action: keep}
            splits: {val: 0.1, test: 0.1}
            tokenizer: {kind: train, vocab_size: 512, pattern: cl100k}
            mixture: {train_tokens: 1e6}
            shards: {tokens: 1_000}
            """);
        Assert.Equal(Path.Combine(_dir, "out", "ds"), config.Output);
        Assert.Equal("<doc>", config.Sources[0].Corpus.Separator.Text);
        Assert.Equal(DocumentFormat.JsonLines, config.Sources[1].Corpus.Format);
        Assert.Equal("body", config.Sources[1].Corpus.TextField);
        Assert.False(config.ExactDedup);
        Assert.Equal(5, config.Quality!.MinWords);
        Assert.Null(config.Quality.MaxWords);
        Assert.Null(config.Quality.MaxDigitRatio);
        Assert.Equal(0.5, config.Quality.MaxTopNgramFraction![2]);
        Assert.Equal(0.3, config.Quality.MaxDuplicateLineFraction);
        Assert.Equal(new Data.Cleaning.LshBanding(16, 4), config.NearDedup!.Banding);
        Assert.False(config.NearDedup.Remove);
        Assert.Equal(TokenizerKind.Train, config.Tokenizer.Kind);
        Assert.Equal(512, config.Tokenizer.VocabSize);
        Assert.Equal(1_000_000, config.TrainTokens);
        Assert.Equal(1000, config.ShardTokens);
    }

    [Fact]
    public void DisabledStages_AreNull()
    {
        var config = Parse("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  quality_filter: {enabled: false}\n  near_dedup: {enabled: false}\n");
        Assert.Null(config.Quality);
        Assert.Null(config.NearDedup);
    }

    [Theory]
    [InlineData("sources: [{name: a, paths: a.txt}]", "data.yaml: name: required")]
    [InlineData("name: x", "data.yaml: sources: required")]
    [InlineData("name: x\nsources: [{name: a, paths: missing.txt}]", "data.yaml:2: sources[0].paths: not found:")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt, weight: 0}]", "sources[0].weight: must be > 0, got '0'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}, {name: a, paths: a.txt}]", "sources[1].name: 'a' names another source already")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt, separator: literal}]", "sources[0].separator_text: required for separator: literal")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt, separator: regex, separator_text: '(('}]", "sources[0].separator_text: not a valid regular expression")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt, format: csv}]", "sources[0].format: must be one of auto, text, jsonl, got 'csv'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt, pathz: b}]", "sources[0].pathz: unknown key; did you mean 'sources[0].paths'?")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  near_dedup: {threshold: 1.5}", "data.yaml:4: cleaning.near_dedup.threshold: must be in (0, 1), got '1.5'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  near_dedup: {bands: 4}", "cleaning.near_dedup.rows: set bands and rows together")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  near_dedup: {bands: 64, rows: 4}", "cleaning.near_dedup.rows: bands × rows = 256 exceeds permutations (128)")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  quality_filter: {wrods: {min: 3}}", "cleaning.quality_filter.wrods: unknown key; did you mean 'cleaning.quality_filter.words'?")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  quality_filter: {words: {min: 10, max: 5}}", "cleaning.quality_filter.words.max: must be >= min (10), got 5")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  quality_filter: {bullet_lines: {max: 2}}", "cleaning.quality_filter.bullet_lines.max: must be in [0, 1], got '2'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ncleaning:\n  quality_filter: {top_ngram: {max: {0: 0.2}}}", "cleaning.quality_filter.top_ngram.max.0: expected n: limit")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\nsplits: {val: 0.6, test: 0.5}", "splits.test: val + test must leave documents for training")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\nsplits: {val: 0}", "splits.val: must be in (0, 1), got '0'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ntokenizer: {kind: train}", "tokenizer.vocab_size: must be >= 257")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ntokenizer: {kind: tiktoken}", "tokenizer.path: required for kind: tiktoken")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ntokenizer: {kind: tiktoken, path: none.tiktoken}", "tokenizer.path: rank file not found:")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ntokenizer: {kind: train, vocab_size: 300, pattern: '(('}", "tokenizer.pattern: not gpt2, cl100k or a valid regular expression")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\ntokenizer: {kind: bpe}", "tokenizer.kind: must be one of byte, tiktoken, directory, train, got 'bpe'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\nshards: {tokens: 0}", "shards.tokens: must be an integer in [1, 2147483647], got '0'")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\nmixture: {tokens: 5}", "data.yaml:3: mixture.tokens: unknown key (valid here: train_tokens)")]
    [InlineData("name: x\nsources: [{name: a, paths: a.txt}]\nsplits: [0.1]", "splits: must be a mapping of keys, got a list")]
    [InlineData("name: [x", "data.yaml:2: invalid YAML")]
    public void Problems_AreNamedByFieldAndLine(string yaml, string expected)
    {
        var errors = Errors(yaml);
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"expected '{expected}' in:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void AllProblems_AreReportedAtOnce()
    {
        var errors = Errors("name: x\nseed: -1\nsources: [{name: a, paths: a.txt, weight: -2}]\nsplits: {val: 2}\n");
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void MissingFile_IsOneError() =>
        Assert.Contains("data configuration not found", Assert.Throws<DatasetConfigException>(() => DatasetConfigLoader.Load(Path.Combine(_dir, "none.yaml"))).Message);
}
