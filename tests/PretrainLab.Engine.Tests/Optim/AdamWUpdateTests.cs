using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Tests.Optim;

/// <summary>The vectorised AdamW update against the element-by-element formula, bit for bit.</summary>
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
}
