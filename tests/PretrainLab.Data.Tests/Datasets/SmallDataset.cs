using System.Text;
using PretrainLab.Data.Cleaning;
using PretrainLab.Data.Datasets;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Datasets;

/// <summary>Writes a small dataset folder the way <c>plab data prepare</c> does, without the configuration layer.</summary>
internal static class SmallDataset
{
    public static readonly string[] TrainTexts = Enumerable.Range(0, 40).Select(i => $"Train document {i}: the quick brown fox jumps over the lazy dog {i * 7}.").ToArray();

    public static readonly string[] ValTexts = Enumerable.Range(0, 8).Select(i => $"Validation document {i}, with ünïcödé and emoji 🙂 number {i}.").ToArray();

    public static DatasetManifest Build(string directory, int vocabSize = 300, long shardTokens = 200)
    {
        var tokenizer = new BpeTrainer(vocabSize, TokenizerPattern.Gpt2, [TiktokenEncoding.EndOfText]).Train(TrainTexts);
        int eot = tokenizer.SpecialTokens[TiktokenEncoding.EndOfText];
        var writer = new DatasetWriter(directory, tokenizer, eot, shardTokens);
        var (tokenizerFiles, tokenBytes) = writer.WriteTokenizer();
        var manifest = new DatasetManifest
        {
            Format = DatasetManifest.FormatName,
            Version = DatasetManifest.CurrentVersion,
            Name = "small",
            CreatedUtc = "2026-01-01T00:00:00Z",
            Seed = 1,
            Sources = [],
            Stages = [new StageReport { Stage = "exact_dedup" }],
            Tokenizer = new ManifestTokenizer { Kind = "train", VocabSize = tokenizer.VocabSize, EotToken = eot, Pattern = tokenizer.Pattern.Expression, Files = tokenizerFiles },
            TokenBytes = tokenBytes,
            Splits = new Dictionary<string, ManifestSplit>
            {
                ["train"] = writer.WriteSplit("train", Encode(tokenizer, TrainTexts)),
                ["val"] = writer.WriteSplit("val", Encode(tokenizer, ValTexts)),
            },
        };
        manifest.Save(directory);
        return manifest;
    }

    private static IEnumerable<(ReadOnlyMemory<int>, long)> Encode(TiktokenEncoding tokenizer, string[] texts) =>
        texts.Select(t => ((ReadOnlyMemory<int>)tokenizer.Encode(t), (long)Encoding.UTF8.GetByteCount(t)));
}
