using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Optim;

/// <summary>Muon's decoupled weight decay: <c>W ← W·(1 − lr·λ) − lr·√max(1, r/c)·X</c>, with lr the matrix group's rate.</summary>
public sealed class MuonWeightDecayTests : IDisposable
{
    private readonly TensorArena _arena = new();

    public void Dispose() => _arena.Dispose();

    private ParameterSet MakeSet()
    {
        // A wide and a tall matrix (the tall one is orthogonalised transposed), and a vector Muon must leave alone.
        var set = new ParameterSet();
        set.Declare("wide", [6, 10], ParameterKind.Matrix, ParameterInit.Gaussian(0.5f));
        set.Declare("tall", [12, 4], ParameterKind.Matrix, ParameterInit.Gaussian(0.5f));
        set.Declare("bias", [5], ParameterKind.Vector, ParameterInit.Gaussian(0.5f));
        set.Allocate(_arena);
        set.Initialize(4);
        return set;
    }

    [Fact]
    public void DecayShrinksTheWeightsBeforeTheSameOrthogonalisedStep()
    {
        const double weightDecay = 0.1, matrixLr = 0.02;
        var rates = new GroupLearningRates(BaseLr: 1e-3, EmbeddingLr: 1e-3, HeadLr: 1e-3, MatrixLr: matrixLr, ScalarLr: 1e-3);
        var plainSet = MakeSet();
        var decayedSet = MakeSet();
        using var plain = new Muon(plainSet, new MuonOptions(), Parallelism.Serial, rates);
        using var decayed = new Muon(decayedSet, new MuonOptions(WeightDecay: weightDecay), Parallelism.Serial, rates);
        var bias = decayedSet.All.Single(p => p.Kind == ParameterKind.Vector);
        var biasBefore = bias.Data.Span.ToArray();

        for (var step = 1; step <= 3; step++)
        {
            // Same gradients, hence the same momentum and the same orthogonalised update X in both: the update does
            // not depend on W. So plain's change is exactly −lr·√max(1, r/c)·X, and decayed must equal its own
            // previous weights times (1 − lr·λ) plus that change.
            GradientCheck.FillRandom(plainSet.Grad.Span, (ulong)(40 + step), 0.1f);
            plainSet.Grad.Span.CopyTo(decayedSet.Grad.Span);
            var plainBefore = plainSet.Data.Span.ToArray();
            var decayedBefore = decayedSet.Data.Span.ToArray();
            var baseLr = 1e-3 * (4 - step);
            plain.Step(baseLr);
            decayed.Step(baseLr);

            var lr = baseLr / 1e-3 * matrixLr;
            var plainAfter = plainSet.Data.Span.ToArray();
            var decayedAfter = decayedSet.Data.Span.ToArray();
            foreach (var p in decayedSet.All.Where(p => p.Kind == ParameterKind.Matrix))
            {
                double maxDiff = 0, maxWeight = 0, maxChange = 0;
                for (var i = p.Offset; i < p.Offset + p.Length; i++)
                {
                    var expected = decayedBefore[i] * (1 - lr * weightDecay) + (plainAfter[i] - (double)plainBefore[i]);
                    maxDiff = Math.Max(maxDiff, Math.Abs(decayedAfter[i] - expected));
                    maxWeight = Math.Max(maxWeight, Math.Abs(decayedBefore[i]));
                    maxChange = Math.Max(maxChange, Math.Abs(decayedBefore[i] * lr * weightDecay));
                }
                // Float rounding of the two updates (a few ulps of the weights) must stay well below the decay itself.
                Assert.True(maxDiff <= 1e-6 * maxWeight, $"step {step}, {p.Name}: off by {maxDiff:G3} (weights up to {maxWeight:G3})");
                Assert.True(maxChange > 100 * maxDiff, $"step {step}, {p.Name}: decay {maxChange:G3} is lost in rounding {maxDiff:G3}");
            }
        }
        Assert.Equal(biasBefore, bias.Data.Span.ToArray());
    }
}
