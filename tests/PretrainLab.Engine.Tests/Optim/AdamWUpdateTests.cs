using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Optim;

/// <summary>The vectorised AdamW update against the element-by-element formula, bit for bit, with shared and per-group settings.</summary>
public sealed class AdamWUpdateTests : IDisposable
{
    private readonly TensorArena _arena = new();

    public void Dispose() => _arena.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void EveryElementGetsTheScalarLoopsBits(int threads)
    {
        // Lengths around 8 and 16 lanes, matrices (decayed) and vectors (not), and one matrix cut into
        // several pieces that the threads share.
        var set = new ParameterSet(new Parallelism(threads));
        foreach (var (name, shape) in new (string, int[])[]
                 { ("a", [37]), ("b", [5, 7]), ("c", [16, 3]), ("d", [100]), ("e", [1]), ("f", [9, 9]), ("g", [301, 300]), ("h", [3]) })
            set.Declare(name, shape, shape.Length == 2 ? ParameterKind.Matrix : ParameterKind.Vector, ParameterInit.Gaussian(0.5f));
        set.Allocate(_arena);
        set.Initialize(1);
        var options = new AdamWOptions(Beta1: 0.9, Beta2: 0.99, Epsilon: 1e-8, WeightDecay: 0.1);
        using var adam = new AdamW(set, options);

        var theta = set.Data.Span.ToArray();
        var m = new float[theta.Length];
        var v = new float[theta.Length];
        for (var step = 1; step <= 5; step++)
        {
            GradientCheck.FillRandom(set.Grad.Span, (ulong)(10 + step), 0.1f * step);
            // Some zero gradients, where m/√v meets ε.
            set.Grad.Span[3] = 0f;
            var g = set.Grad.Span.ToArray();
            var lr = 1e-3 * step;
            adam.Step(lr);

            var bc1 = 1.0 - Math.Pow(options.Beta1, step);
            var bc2 = (float)Math.Sqrt(1.0 - Math.Pow(options.Beta2, step));
            var stepSize = (float)(lr / bc1);
            foreach (var p in set.All)
            {
                var decay = p.IsMatrix ? (float)(1.0 - lr * options.WeightDecay) : 1f;
                for (var i = p.Offset; i < p.Offset + p.Length; i++)
                {
                    theta[i] *= decay;
                    m[i] = m[i] * 0.9f + g[i] * (float)(1 - 0.9);
                    v[i] = v[i] * 0.99f + g[i] * g[i] * (float)(1 - 0.99);
                    theta[i] -= stepSize * (m[i] / (MathF.Sqrt(v[i]) / bc2 + 1e-8f));
                }
            }

            Assert.Equal(theta, set.Data.Span.ToArray());
            Assert.Equal(m, adam.FirstMoment.Span.ToArray());
            Assert.Equal(v, adam.SecondMoment.Span.ToArray());
        }
    }
    [Fact]
    public void EachGroupUsesItsOwnBetasWeightDecayAndRate()
    {
        // One parameter or two of every kind; the lengths cross the 8- and 16-lane boundaries.
        var set = new ParameterSet();
        set.Declare("wte", [11, 5], ParameterKind.Embedding, ParameterInit.Gaussian(0.5f));
        set.Declare("lm_head", [7, 5], ParameterKind.Head, ParameterInit.Gaussian(0.5f));
        set.Declare("fc", [9, 9], ParameterKind.Matrix, ParameterInit.Gaussian(0.5f));
        set.Declare("proj", [5, 7], ParameterKind.Matrix, ParameterInit.Gaussian(0.5f));
        set.Declare("bias", [37], ParameterKind.Vector, ParameterInit.Gaussian(0.5f));
        set.Declare("gain", [16], ParameterKind.Vector, ParameterInit.Gaussian(0.5f));
        set.Allocate(_arena);
        set.Initialize(2);
        var options = new AdamWOptions(Beta1: 0.9, Beta2: 0.99, Epsilon: 1e-8, WeightDecay: 0.1)
        {
            Embedding = new AdamWGroupOptions(Beta1: 0.8, Beta2: 0.95, WeightDecay: 0.05),
            Head = new AdamWGroupOptions(Beta2: 0.9),
            Matrix = new AdamWGroupOptions(Beta1: 0.95, Beta2: 0.999, WeightDecay: 0.0),
            Scalar = new AdamWGroupOptions(Beta1: 0.7, WeightDecay: 0.3),
        };
        var rates = new GroupLearningRates(BaseLr: 1e-3, EmbeddingLr: 2e-3, HeadLr: 5e-4, MatrixLr: 1e-3, ScalarLr: 3e-3);
        using var adam = new AdamW(set, options, rates);

        // Written out by hand rather than read from the options: the head keeps the shared β₁ and decay, the
        // vectors are decayed because their group says so, the matrices are not because theirs says 0.
        var expected = new Dictionary<ParameterKind, (double Beta1, double Beta2, double WeightDecay)>
        {
            [ParameterKind.Embedding] = (0.8, 0.95, 0.05),
            [ParameterKind.Head] = (0.9, 0.9, 0.1),
            [ParameterKind.Matrix] = (0.95, 0.999, 0.0),
            [ParameterKind.Vector] = (0.7, 0.99, 0.3),
        };
        var theta = set.Data.Span.ToArray();
        var m = new float[theta.Length];
        var v = new float[theta.Length];
        for (var step = 1; step <= 3; step++)
        {
            GradientCheck.FillRandom(set.Grad.Span, (ulong)(20 + step), 0.1f * step);
            var g = set.Grad.Span.ToArray();
            var baseLr = 1e-3 * step;
            adam.Step(baseLr);

            foreach (var p in set.All)
            {
                var (beta1, beta2, weightDecay) = expected[p.Kind];
                var lr = rates.For(p.Kind, baseLr);
                var stepSize = (float)(lr / (1.0 - Math.Pow(beta1, step)));
                var bc2 = (float)Math.Sqrt(1.0 - Math.Pow(beta2, step));
                var decay = (float)(1.0 - lr * weightDecay);
                for (var i = p.Offset; i < p.Offset + p.Length; i++)
                {
                    theta[i] *= decay;
                    m[i] = m[i] * (float)beta1 + g[i] * (float)(1 - beta1);
                    v[i] = v[i] * (float)beta2 + g[i] * g[i] * (float)(1 - beta2);
                    theta[i] -= stepSize * (m[i] / (MathF.Sqrt(v[i]) / bc2 + 1e-8f));
                }
            }

            Assert.Equal(theta, set.Data.Span.ToArray());
            Assert.Equal(m, adam.FirstMoment.Span.ToArray());
            Assert.Equal(v, adam.SecondMoment.Span.ToArray());
        }
    }

    [Fact]
    public void UnsetGroupSettingsFallBackToTheSharedOnesWithoutDecayingVectors()
    {
        var set = new ParameterSet();
        var wte = set.Declare("wte", [4, 3], ParameterKind.Embedding, ParameterInit.Gaussian(1f));
        var fc = set.Declare("fc", [3, 3], ParameterKind.Matrix, ParameterInit.Gaussian(1f));
        var bias = set.Declare("bias", [3], ParameterKind.Vector, ParameterInit.Gaussian(1f));
        var shared = new AdamWOptions(Beta1: 0.9, Beta2: 0.99, WeightDecay: 0.1);

        Assert.Equal((0.9, 0.99, 0.1), shared.For(wte));
        Assert.Equal((0.9, 0.99, 0.0), shared.For(bias));
        // A scalar group that sets only a beta still leaves vectors undecayed; setting its decay decays them.
        Assert.Equal((0.5, 0.99, 0.0), (shared with { Scalar = new AdamWGroupOptions(Beta1: 0.5) }).For(bias));
        Assert.Equal((0.9, 0.99, 0.2), (shared with { Scalar = new AdamWGroupOptions(WeightDecay: 0.2) }).For(bias));
        // Another group's settings do not leak.
        Assert.Equal((0.9, 0.99, 0.1), (shared with { Embedding = new AdamWGroupOptions(0.5, 0.6, 0.7) }).For(fc));
    }

    [Fact]
    public void GroupSettingsEqualToTheSharedOnesChangeNoBits()
    {
        var plain = Trajectory(new AdamWOptions(Beta1: 0.9, Beta2: 0.99, WeightDecay: 0.1));
        var same = new AdamWGroupOptions(0.9, 0.99, 0.1);
        var grouped = Trajectory(new AdamWOptions(Beta1: 0.9, Beta2: 0.99, WeightDecay: 0.1)
        {
            Embedding = same, Head = same, Matrix = same, Scalar = new AdamWGroupOptions(0.9, 0.99, 0.0),
        });

        Assert.Equal(plain, grouped);
    }

    private float[] Trajectory(AdamWOptions options)
    {
        var set = new ParameterSet();
        set.Declare("wte", [13, 4], ParameterKind.Embedding, ParameterInit.Gaussian(0.5f));
        set.Declare("lm_head", [13, 4], ParameterKind.Head, ParameterInit.Gaussian(0.5f));
        set.Declare("fc", [6, 4], ParameterKind.Matrix, ParameterInit.Gaussian(0.5f));
        set.Declare("bias", [21], ParameterKind.Vector, ParameterInit.Gaussian(0.5f));
        set.Allocate(_arena);
        set.Initialize(3);
        using var adam = new AdamW(set, options);
        for (var step = 1; step <= 3; step++)
        {
            GradientCheck.FillRandom(set.Grad.Span, (ulong)(30 + step), 0.1f);
            adam.Step(1e-2);
        }
        return set.Data.Span.ToArray();
    }
}
