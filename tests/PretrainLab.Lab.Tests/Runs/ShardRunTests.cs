using PretrainLab.Data.Shards;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Tests.Runs;

public sealed class ShardRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plab-shards-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteShard(string name, int count, int vocab, int seed)
    {
        // A learnable sequence: mostly token (previous + 1) mod vocab, with some noise.
        var rng = new Random(seed);
        var tokens = new ushort[count];
        for (var i = 1; i < count; i++)
            tokens[i] = (ushort)(rng.NextDouble() < 0.9 ? (tokens[i - 1] + 1) % vocab : rng.Next(vocab));
        var path = Path.Combine(_dir, name);
        TokenShard.Write(path, tokens);
        return path;
    }

    private Recipe ShardRecipe(int vocab, params string[] overrides) => RecipeLoader.Parse($$"""
        model: {n_layer: 1, n_head: 2, n_embd: 32, block_size: 16, vocab_size: {{vocab}}}
        optim: {lr: 1.0e-2}
        schedule: {kind: constant, warmup_steps: 0}
        data: {format: shard, path: train.bin, val_path: val.bin}
        train: {batch_size: 4}
        budget: {steps: 60}
        eval: {interval: 20}
        """, _dir, overrides, "shard.yaml");

    [Fact]
    public void TrainsOnTokenShardsWithoutBitsPerByte()
    {
        WriteShard("train.bin", 20_000, 300, 1);
        WriteShard("val.bin", 2_000, 300, 2);
        var summary = TrainingRun.Train(ShardRecipe(300), Path.Combine(_dir, "run"));
        Assert.Equal("finished", summary.Status);
        Assert.True(summary.ValLoss < Math.Log(300) - 1, $"val loss {summary.ValLoss} should fall well below ln 300");
        Assert.Null(summary.ValBpb);

        var m = CheckpointEvaluation.Run(Path.Combine(_dir, "run"), Path.Combine(_dir, "val.bin"));
        Assert.Equal(summary.ValLoss!.Value, m.Loss, 12);
    }

    [Fact]
    public void ShardTokenOutsideTheVocabularyIsNamedBeforeTraining()
    {
        WriteShard("train.bin", 5_000, 1000, 3);
        WriteShard("val.bin", 1_000, 1000, 4);
        var ex = Assert.Throws<InvalidDataException>(() => TrainingRun.Train(ShardRecipe(500), Path.Combine(_dir, "run")));
        Assert.Contains("train.bin", ex.Message);
        Assert.Contains("does not fit model.vocab_size 500", ex.Message);
    }
}
