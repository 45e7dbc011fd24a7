using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Layers;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Layers;

/// <summary>The chunked, vectorised loss against log-sum-exp and softmax in double, across chunk and vector edges.</summary>
public sealed class SoftmaxCrossEntropyTests : IDisposable
{
    private readonly TensorArena _arena = new();

    public void Dispose() => _arena.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(4096)]
    [InlineData(4103)]
    [InlineData(10000)]
    public void LossAndGradientMatchDoublePrecision(int vocab)
    {
        const int rows = 3;
        var ce = new SoftmaxCrossEntropy(new Workspace(new Parallelism(2)), vocab);
        ce.Plan(_arena, rows);
        var logits = _arena.Allocate(rows * vocab);
        GradientCheck.FillRandom(logits.Span, 21, 4f);
        // The largest logit of row 1 sits in its last chunk, so the running max must rescale the sum.
        logits.Span[2 * vocab - 1] = 9f;
        int[] targets = [0, vocab - 1, vocab / 2];
        var z = logits.Span.ToArray();

        var loss = ce.Forward(logits, targets, rows);
        ce.Backward(logits, targets, rows, 0.5f);

        var expected = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var row = z.AsSpan(r * vocab, vocab).ToArray();
            var max = row.Max();
            var lse = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            expected += lse - row[targets[r]];
            for (var i = 0; i < vocab; i++)
            {
                var grad = 0.5 * (Math.Exp(row[i] - lse) - (i == targets[r] ? 1 : 0));
                // Relative, plus what p − 1 at the target inherits from z − lse rounded in float
                // (an ulp of logits near 9 is 9.5e-7).
                Assert.True(Math.Abs(logits.Span[r * vocab + i] - grad) <= 1e-6 * Math.Abs(grad) + 3e-7,
                    $"dz[{r},{i}] = {logits.Span[r * vocab + i]}, expected {grad}");
            }
        }
        Assert.True(Math.Abs(loss - expected) <= 1e-6 * Math.Abs(expected), $"loss {loss}, expected {expected}");
    }
}
