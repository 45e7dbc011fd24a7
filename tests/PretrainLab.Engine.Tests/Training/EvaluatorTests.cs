using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Training;

namespace PretrainLab.Engine.Tests.Training;

public class EvaluatorTests
{
    [Fact]
    public void BitsPerByteLeavesZeroByteTokensOutOfBothSums()
    {
        var config = new GptConfig(1, 2, 16, 4, 6);
        using var model = new GptModel(config, 2, Parallelism.Serial);
        model.Initialize(3);
        // Token 5 is special (0 bytes); tokens 0-4 have 1..5 bytes.
        int[] tokenBytes = [1, 2, 3, 4, 5, 0];
        int[] ids = [5, 0, 1, 2, 5, 3, 4, 0, 5];
        var data = new TokenArray(ids.AsMemory());
        var m = new Evaluator(model).Evaluate(data, tokenBytes, 0, 0);

        // Recompute from per-token losses: windows [0,4) and [4,8) predict ids[1..4] and ids[5..8].
        model.Forward(ids.AsSpan(0, 4).ToArray().Concat(ids.AsSpan(4, 4).ToArray()).ToArray(),
            ids.AsSpan(1, 4).ToArray().Concat(ids.AsSpan(5, 4).ToArray()).ToArray(), 2);
        var losses = model.TokenLosses.ToArray();
        var targets = ids[1..5].Concat(ids[5..9]).ToArray();
        double nats = 0, all = 0;
        long bytes = 0;
        for (var i = 0; i < targets.Length; i++)
        {
            all += losses[i];
            if (tokenBytes[targets[i]] == 0)
                continue;
            nats += losses[i];
            bytes += tokenBytes[targets[i]];
        }
        Assert.Equal(8, m.Tokens);
        Assert.Equal(all / 8, m.Loss, 12);
        Assert.Equal(nats / (Math.Log(2) * bytes), m.BitsPerByte!.Value, 12);
        Assert.Contains(targets, t => t == 5);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(5, 0)]
    [InlineData(8, 0)]
    [InlineData(3, 7)]
    [InlineData(3, 11)]
    public void SlidingWindowsScoreEachTokenOnceWithItsLongestContext(int stride, long maxTokens)
    {
        const int t = 8;
        var config = new GptConfig(2, 2, 16, t, 7);
        using var model = new GptModel(config, 3, Parallelism.Serial);
        model.Initialize(5);
        int[] tokenBytes = [1, 2, 3, 4, 1, 2, 0];
        var rng = new Random(11);
        var ids = Enumerable.Range(0, 41).Select(_ => rng.Next(7)).ToArray();
        var m = new Evaluator(model, stride).Evaluate(new TokenArray(ids.AsMemory()), tokenBytes, maxTokens, 0);

        // Reference, one window at a time: the token at position p (p >= 1) is scored by the first window that
        // predicts it, where it sits furthest from the window's start, i.e. with the longest context; tokens past the
        // last full window are not scored.
        var windows = (ids.Length - 1 - t) / stride + 1;
        var scored = new Dictionary<int, float>();
        for (var w = 0; w < windows; w++)
        {
            var start = w * stride;
            model.Forward(ids.AsSpan(start, t), ids.AsSpan(start + 1, t), 1);
            var losses = model.TokenLosses;
            for (var i = 0; i < t; i++)
                scored.TryAdd(start + 1 + i, losses[i]);
        }
        var positions = scored.Keys.Order().ToList();
        if (maxTokens > 0)
            positions = positions.Take((int)Math.Min(positions.Count, t + ((maxTokens - t + stride - 1) / stride) * stride)).ToList();
        Assert.Equal(positions.Count, m.Tokens);
        Assert.Equal(Enumerable.Range(1, positions.Count), positions);
        double nats = 0, byteNats = 0;
        long bytes = 0;
        foreach (var p in positions)
        {
            nats += scored[p];
            if (tokenBytes[ids[p]] == 0)
                continue;
            byteNats += scored[p];
            bytes += tokenBytes[ids[p]];
        }
        Assert.Equal(nats / positions.Count, m.Loss, 6);
        Assert.Equal(byteNats / (Math.Log(2) * bytes), m.BitsPerByte!.Value, 6);
        if (maxTokens > 0)
            Assert.True(m.Tokens >= Math.Min(maxTokens, positions.Count));
    }

    [Fact]
    public void SlidingWindowsGiveTheLaterTokensMoreContext()
    {
        // A model that has learned a repeating pattern of period 6 with context 8: in consecutive windows the first
        // few predictions of each window have too little context to place the pattern, with stride 2 all but the
        // first window's do.
        const int t = 8;
        var config = new GptConfig(2, 2, 32, t, 6);
        using var model = new GptModel(config, 4, Parallelism.Serial);
        model.Initialize(2);
        int[] pattern = [0, 1, 0, 2, 0, 3];
        var ids = Enumerable.Range(0, 6 * 40 + 1).Select(i => pattern[i % 6]).ToArray();
        var data = new TokenArray(ids.AsMemory());
        var optimizer = new PretrainLab.Engine.Optim.AdamW(model.Parameters, new PretrainLab.Engine.Optim.AdamWOptions(WeightDecay: 0));
        var tokens = new int[4 * t];
        var targets = new int[4 * t];
        var rng = new Random(3);
        for (var step = 0; step < 400; step++)
        {
            for (var b = 0; b < 4; b++)
            {
                var start = rng.Next(ids.Length - t - 1);
                ids.AsSpan(start, t).CopyTo(tokens.AsSpan(b * t));
                ids.AsSpan(start + 1, t).CopyTo(targets.AsSpan(b * t));
            }
            model.Parameters.ZeroGrad();
            model.Forward(tokens, targets, 4);
            model.Backward(1.0f / (4 * t));
            optimizer.Step(3e-3);
        }

        var consecutive = new Evaluator(model).Evaluate(data, null, 0, 0);
        var sliding = new Evaluator(model, 2).Evaluate(data, null, 0, 0);
        Assert.True(sliding.Loss < 0.5 * consecutive.Loss, $"sliding {sliding.Loss:F4} vs consecutive {consecutive.Loss:F4}");
    }

    [Fact]
    public void StrideOutsideOneToTheBlockSizeIsRefused()
    {
        using var model = new GptModel(new GptConfig(1, 2, 16, 4, 6), 1, Parallelism.Serial);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Evaluator(model, 5));
        Assert.Contains("block size 4", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Evaluator(model, -1));
    }
}
