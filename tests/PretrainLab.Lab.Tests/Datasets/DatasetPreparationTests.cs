using System.Text;
using PretrainLab.Data.Datasets;
using PretrainLab.Data.Splits;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Datasets;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Tests.Datasets;

public sealed class DatasetPreparationTests : IClassFixture<DatasetPreparationTests.Prepared>
{
    private readonly Prepared _prepared;

    public DatasetPreparationTests(Prepared prepared) => _prepared = prepared;

    /// <summary>The fixture's dataset, prepared once for every test in the class.</summary>
    public sealed class Prepared : IDisposable
    {
        public Prepared()
        {
            Fixture = new DatasetFixture();
            Config = DatasetConfigLoader.Load(Fixture.ConfigPath);
            DatasetDir = Fixture.Path_("dataset");
            Manifest = DatasetPreparation.Run(Config, DatasetDir, log: Log.Add);
        }

        public DatasetFixture Fixture { get; }

        public DatasetConfig Config { get; }

        public string DatasetDir { get; }

        public DatasetManifest Manifest { get; }

        public List<string> Log { get; } = [];

        public void Dispose() => Fixture.Dispose();
    }

    [Fact]
    public void Stages_RemoveTheCopies_AndReportWhy()
    {
        var stages = _prepared.Manifest.Stages.ToDictionary(s => s.Stage);
        var exact = stages["exact_dedup"];
        var stories = _prepared.Manifest.Sources.Single(s => s.Name == "stories");
        Assert.Equal(_prepared.Fixture.Stories.Count, stories.DocumentsRead);
        var exactRemoved = Assert.Single(exact.Removed);
        Assert.Equal("exact_duplicate", exactRemoved.Reason);
        // Shakespeare repeats some short speeches; the stories' copy is line 121 of the JSON Lines file.
        Assert.True(exactRemoved.Documents >= 1);
        // Of the 122 stories, the exact and the near copy go; every real story passes the filters.
        Assert.Equal(120, stories.DocumentsKept);
        Assert.Equal(exact.DocumentsIn - exact.DocumentsOut, exact.Removed.Sum(r => r.Documents));

        var near = stages["near_dedup"];
        var nearRemoved = Assert.Single(near.Removed, r => r.Reason == "near_duplicate");
        Assert.Contains(nearRemoved.Examples, e => e.Source.EndsWith($":{_prepared.Fixture.Stories.Count}", StringComparison.Ordinal));
        Assert.Contains("Jaccard", nearRemoved.Examples[0].Detail);

        var quality = stages["quality_filter"];
        var words = Assert.Single(quality.Removed, r => r.Reason == "words");
        Assert.True(words.Documents > 100, "short Shakespeare speeches fall under 8 words");
        Assert.All(words.Examples, e => Assert.Contains("words < 8", e.Detail));
        foreach (var stage in stages.Values)
        {
            Assert.Equal(stage.BytesIn - stage.BytesOut, stage.Removed.Sum(r => r.Bytes));
            Assert.True(stage.Removed.All(r => r.Examples.Count <= 3));
        }
        Assert.Equal(stages["near_dedup"].DocumentsOut, _prepared.Manifest.Sources.Sum(s => s.DocumentsKept));
    }

    [Fact]
    public void Splits_HoldEveryKeptDocumentOnce_WithTheMixtureWeights()
    {
        var m = _prepared.Manifest;
        Assert.Equal(["train", "val", "test"], m.Splits.Keys);
        Assert.True(m.Splits["train"].Shards.Count > 1, "4,000-token shards");
        var train = m.Splits["train"];
        var shares = train.Mixture!;
        Assert.Equal(["shakespeare", "stories"], shares.Select(s => s.Name));
        // Equal weights: the scarcer source gives all it has and the other as many tokens, within a document.
        Assert.InRange(shares[0].Share, 0.45, 0.55);
        Assert.Equal(320, m.Tokenizer.VocabSize);
        Assert.Equal(319, m.Tokenizer.EotToken);
        Assert.NotNull(m.Tokenizer.TrainSeconds);
        Assert.True(File.Exists(Path.Combine(_prepared.DatasetDir, DatasetPreparation.ConfigCopyName)));
        Assert.Empty(Directory.GetDirectories(_prepared.Fixture.Directory, "dataset.partial-*"));
    }

    [Fact]
    public void NoDocumentIsInTwoSplits_AndNearDuplicatesKeptShareOneSplit()
    {
        // Keep near duplicates this time: the story and its edited copy must land on one side.
        var config = _prepared.Config with { NearDedup = _prepared.Config.NearDedup! with { Remove = false } };
        string dir = _prepared.Fixture.Path_("kept");
        DatasetPreparation.Run(config, dir);
        using var dataset = TokenDataset.Open(dir);
        var tokenizer = dataset.LoadTokenizer();
        var bySplit = Enum.GetValues<DatasetSplit>().ToDictionary(s => s, s => Documents(dataset, s, tokenizer).ToHashSet());
        Assert.Empty(bySplit[DatasetSplit.Train].Intersect(bySplit[DatasetSplit.Val]));
        Assert.Empty(bySplit[DatasetSplit.Train].Intersect(bySplit[DatasetSplit.Test]));
        string story = _prepared.Fixture.Stories[0], edited = _prepared.Fixture.Stories[^1];
        var home = bySplit.Where(p => p.Value.Contains(story)).Select(p => p.Key).ToList();
        var editedHome = bySplit.Where(p => p.Value.Contains(edited)).Select(p => p.Key).ToList();
        // A split drawn as a mixture may leave a document out; any document present is on its cluster's side.
        Assert.True(home.Count <= 1 && editedHome.Count <= 1);
        if (home.Count == 1 && editedHome.Count == 1)
            Assert.Equal(home[0], editedHome[0]);
        Assert.Equal(new SplitAssigner(0.1, 0.05, 5).Assign(story), new SplitAssigner(0.1, 0.05, 5).Assign(story));
    }

    [Fact]
    public void SameConfigSameShards()
    {
        string dir = _prepared.Fixture.Path_("again");
        var again = DatasetPreparation.Run(_prepared.Config, dir);
        Assert.Equal(
            _prepared.Manifest.Splits.Values.SelectMany(s => s.Shards).Select(s => s.Sha256),
            again.Splits.Values.SelectMany(s => s.Shards).Select(s => s.Sha256));
    }

    [Fact]
    public void ExistingFolder_IsNotReplacedWithoutForce_AndNeverIfItIsNotADataset()
    {
        Assert.Throws<IOException>(() => DatasetPreparation.Run(_prepared.Config, _prepared.DatasetDir));
        string other = _prepared.Fixture.Path_("other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "keep.txt"), "mine");
        var ex = Assert.Throws<IOException>(() => DatasetPreparation.Run(_prepared.Config, other, force: true));
        Assert.Contains("not a dataset folder", ex.Message);
        Assert.True(File.Exists(Path.Combine(other, "keep.txt")));
    }

    [Fact]
    public void RecipeOnTheDataset_TrainsAndReportsBitsPerByte()
    {
        var recipe = RecipeLoader.Parse($$"""
            model: {n_layer: 1, n_head: 2, n_embd: 32, block_size: 16, vocab_size: 320}
            optim: {lr: 1.0e-2}
            data: {format: dataset, path: "{{_prepared.DatasetDir}}"}
            train: {batch_size: 4}
            budget: {steps: 30}
            eval: {interval: 15, tokens: 512}
            """, _prepared.Fixture.Directory);
        var summary = TrainingRun.Train(recipe, _prepared.Fixture.Path_("run"));
        Assert.Equal("finished", summary.Status);
        Assert.NotNull(summary.ValBpb);
        Assert.InRange(summary.ValBpb!.Value, 0.5, 8.0);
        Assert.True(summary.ValLoss < Math.Log(320), $"val loss {summary.ValLoss} should fall below ln 320");
    }

    [Fact]
    public void BitsPerByte_IsTheNatsOfByteTokensOverLn2TimesTheirBytes()
    {
        using var dataset = TokenDataset.Open(_prepared.DatasetDir);
        var val = new ShardTokens(dataset.Shards(DatasetSplit.Val));
        var config = new GptConfig(1, 2, 16, 8, 320);
        using var model = new GptModel(config, 4, new Parallelism(1));
        model.Initialize(3);
        var metrics = new Evaluator(model).Evaluate(val, dataset.TokenBytes, maxTokens: 0, step: 0);

        // The predicted tokens are tokens 1 .. windows·T; their bytes, counted by decoding them.
        long windows = (val.Count - 1) / 8;
        var tokens = new int[windows * 8 + 1];
        val.CopyTo(0, tokens);
        var tokenizer = dataset.LoadTokenizer();
        int eot = dataset.Manifest.Tokenizer.EotToken;
        long bytes = tokenizer.Decode(tokens[1..].Where(t => t != eot).ToArray()).Length;
        Assert.Equal(tokens[1..].Sum(t => (long)dataset.TokenBytes[t]), bytes);

        // REFERENCE.md: special tokens count 0 bytes and are left out, of the nats too.
        double nats = 0;
        for (long w = 0; w < windows; w++)
        {
            var x = tokens[(int)(w * 8)..(int)(w * 8 + 8)];
            var y = tokens[(int)(w * 8 + 1)..(int)(w * 8 + 9)];
            model.Forward(x, y, 1);
            var losses = model.TokenLosses;
            for (var i = 0; i < 8; i++)
            {
                if (y[i] != eot)
                    nats += losses[i];
            }
        }
        Assert.Contains(tokens[1..], t => t == eot);
        Assert.Equal(windows * 8, metrics.Tokens);
        Assert.Equal(nats / (Math.Log(2) * bytes), metrics.BitsPerByte!.Value, 9);
    }

    [Fact]
    public void RecipeValidation_ChecksTheDatasetFolderAndVocabulary()
    {
        var small = Assert.Throws<RecipeException>(() => RecipeLoader.Parse(
            $"model: {{vocab_size: 300}}\ndata: {{format: dataset, path: \"{_prepared.DatasetDir}\"}}\n", null));
        Assert.Contains(small.Errors, e => e.Path == "model.vocab_size" && e.Message.Contains("dataset's vocabulary of 320", StringComparison.Ordinal));
        var missing = Assert.Throws<RecipeException>(() => RecipeLoader.Parse(
            "model: {vocab_size: 320}\ndata: {format: dataset, path: nowhere}\n", _prepared.Fixture.Directory));
        Assert.Contains(missing.Errors, e => e.Path == "data.path" && e.Message.Contains("dataset folder not found", StringComparison.Ordinal));
        var valPath = Assert.Throws<RecipeException>(() => RecipeLoader.Parse(
            $"model: {{vocab_size: 320}}\ndata: {{format: dataset, path: \"{_prepared.DatasetDir}\", val_path: x.bin}}\n", null));
        Assert.Contains(valPath.Errors, e => e.Path == "data.val_path");
    }

    private static IEnumerable<string> Documents(TokenDataset dataset, DatasetSplit split, Data.Tokenizers.TiktokenEncoding tokenizer)
    {
        var sequence = new ShardTokens(dataset.Shards(split));
        var tokens = new int[sequence.Count];
        sequence.CopyTo(0, tokens);
        int eot = dataset.Manifest.Tokenizer.EotToken;
        var starts = Enumerable.Range(0, tokens.Length).Where(i => tokens[i] == eot).Append(tokens.Length).ToArray();
        for (int k = 0; k + 1 < starts.Length; k++)
            yield return Encoding.UTF8.GetString(tokenizer.Decode(tokens[(starts[k] + 1)..starts[k + 1]]));
    }
}
