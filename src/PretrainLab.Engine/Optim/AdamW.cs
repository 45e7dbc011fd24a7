using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// AdamW exactly as PyTorch's single-tensor implementation computes it, per element:
/// <c>θ ← θ·(1 − lr·λ)</c>; <c>m ← β₁m + (1 − β₁)g</c>; <c>v ← β₂v + (1 − β₂)g²</c>;
/// <c>θ ← θ − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)</c>, with λ = 0 for 1-D parameters and lr
/// the parameter's group rate.
/// </summary>
public sealed unsafe class AdamW : IOptimizer
{
    private readonly TensorArena _arena = new();
    private readonly Parameter[] _parameters;
    private readonly GroupLearningRates? _rates;

    /// <summary>
    /// Creates zeroed moment buffers for the parameters of <paramref name="parameters"/> that
    /// <paramref name="include"/> accepts (all by default), with per-group rates (uniform by default).
    /// </summary>
    public AdamW(ParameterSet parameters, AdamWOptions options, GroupLearningRates? rates = null, Func<Parameter, bool>? include = null)
    {
        _parameters = parameters.All.Where(include ?? (_ => true)).ToArray();
        _rates = rates;
        Options = options;
        FirstMoment = _arena.Allocate(parameters.Count);
        SecondMoment = _arena.Allocate(parameters.Count);
    }

    /// <summary>The hyperparameters.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Optimizer steps taken so far (t in the bias corrections).</summary>
    public long StepCount { get; set; }

    /// <summary>m, laid out like the parameter set's flat buffer.</summary>
    public Tensor FirstMoment { get; }

    /// <summary>v, laid out like the parameter set's flat buffer.</summary>
    public Tensor SecondMoment { get; }

    /// <inheritdoc/>
    public IEnumerable<OptimizerState> State => _parameters.SelectMany(p => new[]
    {
        new OptimizerState($"{p.Name}.exp_avg", p.Shape, FirstMoment.Slice(p.Offset, p.Length)),
        new OptimizerState($"{p.Name}.exp_avg_sq", p.Shape, SecondMoment.Slice(p.Offset, p.Length)),
    });

    /// <summary>Applies one update with base learning rate <paramref name="baseLr"/> using the current gradients.</summary>
    public void Step(double baseLr)
    {
        StepCount++;
        var o = Options;
        // Scalars are computed in double, as Python does, then rounded once to float.
        var bc1 = 1.0 - Math.Pow(o.Beta1, StepCount);
        var bc2Sqrt = Math.Sqrt(1.0 - Math.Pow(o.Beta2, StepCount));
        float b1 = (float)o.Beta1, b2 = (float)o.Beta2, oneMinusB1 = (float)(1 - o.Beta1), oneMinusB2 = (float)(1 - o.Beta2);
        float eps = (float)o.Epsilon, bc2 = (float)bc2Sqrt;
        foreach (var p in _parameters)
        {
            var lr = _rates?.For(p.Kind, baseLr) ?? baseLr;
            var stepSize = (float)(lr / bc1);
            var decay = p.IsMatrix ? (float)(1.0 - lr * o.WeightDecay) : 1f;
            var theta = p.Data.Data;
            var g = p.Grad.Data;
            var m = FirstMoment.Data + p.Offset;
            var v = SecondMoment.Data + p.Offset;
            for (var i = 0; i < p.Length; i++)
            {
                theta[i] *= decay;
                m[i] = m[i] * b1 + g[i] * oneMinusB1;
                v[i] = v[i] * b2 + g[i] * g[i] * oneMinusB2;
                theta[i] -= stepSize * (m[i] / (MathF.Sqrt(v[i]) / bc2 + eps));
            }
        }
    }

    /// <summary>Frees the moment buffers.</summary>
    public void Dispose() => _arena.Dispose();
}
