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
}
