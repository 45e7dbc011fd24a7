using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// AdamW exactly as PyTorch's single-tensor implementation computes it, per element:
/// <c>θ ← θ·(1 − lr·λ)</c>; <c>m ← β₁m + (1 − β₁)g</c>; <c>v ← β₂v + (1 − β₂)g²</c>;
/// <c>θ ← θ − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)</c>, with lr the parameter's group rate and β₁, β₂, λ
/// its group's (<see cref="AdamWOptions.For"/>: λ = 0 for 1-D parameters unless their group sets a decay).
/// </summary>
public sealed unsafe class AdamW : IOptimizer
{
    private readonly TensorArena _arena = new();
    private readonly Parameter[] _parameters;
    private readonly GroupLearningRates? _rates;
    private readonly (double Beta1, double Beta2, double WeightDecay)[] _hyperparameters;

    /// <summary>
    /// Creates zeroed moment buffers for the parameters of <paramref name="parameters"/> that
    /// <paramref name="include"/> accepts (all by default), with per-group rates (uniform by default).
    /// </summary>
    public AdamW(ParameterSet parameters, AdamWOptions options, GroupLearningRates? rates = null, Func<Parameter, bool>? include = null)
    {
        _parameters = parameters.All.Where(include ?? (_ => true)).ToArray();
        _rates = rates;
        Options = options;
        _hyperparameters = _parameters.Select(options.For).ToArray();
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
        float eps = (float)Options.Epsilon;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var (beta1, beta2, weightDecay) = _hyperparameters[i];
            // Scalars are computed in double, as Python does, then rounded once to float; per parameter, since
            // each group may have its own betas (a handful of pows per step, nothing next to the update).
            var bc1 = 1.0 - Math.Pow(beta1, StepCount);
            var bc2Sqrt = Math.Sqrt(1.0 - Math.Pow(beta2, StepCount));
            var lr = _rates?.For(p.Kind, baseLr) ?? baseLr;
            var stepSize = (float)(lr / bc1);
            // λ = 0 gives exactly 1f, so undecayed parameters are untouched as before.
            var decay = (float)(1.0 - lr * weightDecay);
            var theta = p.Data.Data;
            var g = p.Grad.Data;
            var m = FirstMoment.Data + p.Offset;
            var v = SecondMoment.Data + p.Offset;
            Update(theta, g, m, v, p.Length, new Coefficients(decay, stepSize, (float)beta1, (float)(1 - beta1),
                (float)beta2, (float)(1 - beta2), (float)bc2Sqrt, eps));
        }
    }

    /// <summary>
    /// The per-element update, 16 (AVX-512) or 8 lanes at a time. Each lane performs the scalar
    /// loop's operations in the same order, with no fused multiply-adds, so every element gets the
    /// bits the scalar loop (the tail here) would give it.
    /// </summary>
    private static void Update(float* theta, float* g, float* m, float* v, int length, in Coefficients c)
    {
        var i = 0;
        if (Avx512F.IsSupported)
        {
            for (; i + 16 <= length; i += 16)
            {
                var gi = Vector512.Load(g + i);
                var mi = Vector512.Load(m + i) * c.Beta1 + gi * c.OneMinusBeta1;
                var vi = Vector512.Load(v + i) * c.Beta2 + gi * gi * c.OneMinusBeta2;
                var ti = Vector512.Load(theta + i) * c.Decay;
                ti -= c.StepSize * (mi / (Vector512.Sqrt(vi) / c.Correction2 + Vector512.Create(c.Epsilon)));
                mi.Store(m + i);
                vi.Store(v + i);
                ti.Store(theta + i);
            }
        }
        for (; i + 8 <= length; i += 8)
        {
            var gi = Vector256.Load(g + i);
            var mi = Vector256.Load(m + i) * c.Beta1 + gi * c.OneMinusBeta1;
            var vi = Vector256.Load(v + i) * c.Beta2 + gi * gi * c.OneMinusBeta2;
            var ti = Vector256.Load(theta + i) * c.Decay;
            ti -= c.StepSize * (mi / (Vector256.Sqrt(vi) / c.Correction2 + Vector256.Create(c.Epsilon)));
            mi.Store(m + i);
            vi.Store(v + i);
            ti.Store(theta + i);
        }
        for (; i < length; i++)
        {
            theta[i] *= c.Decay;
            m[i] = m[i] * c.Beta1 + g[i] * c.OneMinusBeta1;
            v[i] = v[i] * c.Beta2 + g[i] * g[i] * c.OneMinusBeta2;
            theta[i] -= c.StepSize * (m[i] / (MathF.Sqrt(v[i]) / c.Correction2 + c.Epsilon));
        }
    }

    /// <summary>One step's scalars for one parameter.</summary>
    private readonly record struct Coefficients(
        float Decay, float StepSize, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float Correction2, float Epsilon);

    /// <summary>Frees the moment buffers.</summary>
    public void Dispose() => _arena.Dispose();
}
