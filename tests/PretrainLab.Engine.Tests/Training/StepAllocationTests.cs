using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;

namespace PretrainLab.Engine.Tests.Training;

/// <summary>
/// A training step allocates nothing once its buffers exist: zeroing, forward, backward, gradient norm, clipping
/// and the optimizer's update, for the classic and the modern model and both optimizers. Counted on the calling
/// thread, which runs every kernel on one thread and its share of the chunks on two (the worker team's own
/// hand-off is checked in <c>ParallelismTests</c>).
/// </summary>
public sealed class StepAllocationTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { "classic-adamw", 1 }, { "classic-adamw", 2 }, { "wide-adamw", 2 }, { "modern-muon", 1 }, { "modern-muon", 2 },
        { "modern-adamw", 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AStepAllocatesNothingOnceWarm(string variant, int threads)
    {
        // Widths and lengths off the vector boundaries; "wide" (with 4 sequences) is large enough that every kernel runs on
        // both threads.
        var wide = variant.StartsWith("wide", StringComparison.Ordinal);
        var classic = wide
            ? new GptConfig(NLayer: 2, NHead: 2, NEmbd: 64, BlockSize: 32, VocabSize: 256)
            : new GptConfig(NLayer: 2, NHead: 2, NEmbd: 48, BlockSize: 19, VocabSize: 37);
        var config = variant.StartsWith("modern", StringComparison.Ordinal)
            ? classic with
            {
                NHead = 4, NKvHead = 2, Position = PositionKind.Rope, QkNorm = true, Activation = ActivationKind.SwiGlu,
                MlpRatio = 2, LogitSoftcap = 15f, Norm = NormKind.RmsNorm, TieHead = false, Bias = false,
            }
            : classic;
        var parallelism = new Parallelism(threads);
        var batch = wide ? 4 : 3;
        var rows = batch * config.BlockSize;
        using var model = new GptModel(config, batch, parallelism);
        model.Initialize(1);
        using IOptimizer optimizer = variant.EndsWith("muon", StringComparison.Ordinal)
            ? new Muon(model.Parameters, new MuonOptions(WeightDecay: 0.01), parallelism)
            : new AdamW(model.Parameters, new AdamWOptions());
        var rng = new Rng(2);
        var tokens = new int[rows];
        var targets = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            tokens[i] = (int)rng.NextInt64(config.VocabSize);
            targets[i] = (int)rng.NextInt64(config.VocabSize);
        }

        void Step()
        {
            model.Parameters.ZeroGrad();
            model.Forward(tokens, targets, batch);
            model.Backward(1f / rows);
            // A tight clip, so that the scaling runs.
            var coef = 0.01 / (model.Parameters.GradNorm() + 1e-6);
            if (coef < 1)
                model.Parameters.ScaleGrad((float)coef);
            optimizer.Step(1e-3);
        }

        // Thread-local scratch (transposed operands, packing buffers) is sized on first use.
        for (var i = 0; i < 3; i++)
            Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
            Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
