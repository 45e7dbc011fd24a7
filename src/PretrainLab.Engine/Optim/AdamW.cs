using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// AdamW exactly as PyTorch's single-tensor implementation computes it, per element:
/// <c>θ ← θ·(1 − lr·λ)</c>; <c>m ← β₁m + (1 − β₁)g</c>; <c>v ← β₂v + (1 − β₂)g²</c>;
/// <c>θ ← θ − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)</c>, with lr the parameter's group rate and β₁, β₂, λ
/// its group's (<see cref="AdamWOptions.For"/>: λ = 0 for 1-D parameters unless their group sets a decay).
/// </summary>
/// <remarks>Parameters are cut into pieces of at most <see cref="Piece"/> elements, spread over the
/// parameter set's threads; every element's update is independent, so the bits do not depend on
/// the thread count.</remarks>
public sealed unsafe class AdamW : IOptimizer
{
    /// <summary>Elements per parallel piece: large enough that a hand-off pays, small enough to balance.</summary>
    private const int Piece = 1 << 15;

    private readonly TensorArena _arena = new();
    private readonly Parameter[] _parameters;
    private readonly GroupLearningRates? _rates;
    private readonly (double Beta1, double Beta2, double WeightDecay)[] _hyperparameters;
    private readonly Parallelism _parallelism;
    // Piece i updates elements [_pieceStart[i], _pieceStart[i] + _pieceLength[i]) of parameter _pieceOwner[i].
    private readonly int[] _pieceOwner;
    private readonly int[] _pieceStart;
    private readonly int[] _pieceLength;
    private readonly Coefficients[] _coefficients;

    /// <summary>
    /// Creates zeroed moment buffers for the parameters of <paramref name="parameters"/> that
    /// <paramref name="include"/> accepts (all by default), with per-group rates (uniform by default).
    /// </summary>
    public AdamW(ParameterSet parameters, AdamWOptions options, GroupLearningRates? rates = null, Func<Parameter, bool>? include = null)
    {
        _parameters = parameters.All.Where(include ?? (_ => true)).ToArray();
        _rates = rates;
        _parallelism = parameters.Parallelism;
        Options = options;
        _hyperparameters = _parameters.Select(options.For).ToArray();
        FirstMoment = _arena.Allocate(parameters.Count);
        SecondMoment = _arena.Allocate(parameters.Count);
        _coefficients = new Coefficients[_parameters.Length];
        var pieces = new List<(int Owner, int Start, int Length)>();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            for (var from = 0; from < p.Length; from += Piece)
                pieces.Add((i, from, Math.Min(Piece, p.Length - from)));
        }
        _pieceOwner = pieces.Select(x => x.Owner).ToArray();
        _pieceStart = pieces.Select(x => x.Start).ToArray();
        _pieceLength = pieces.Select(x => x.Length).ToArray();
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
            _coefficients[i] = new Coefficients(decay, stepSize, (float)beta1, (float)(1 - beta1),
                (float)beta2, (float)(1 - beta2), (float)bc2Sqrt, eps);
        }
        _parallelism.For(_pieceOwner.Length, new UpdatePieces(this), minRowsPerChunk: 2);
    }

    /// <summary>Updates pieces [start, end) with their parameters' coefficients.</summary>
    private readonly struct UpdatePieces(AdamW adam) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var owner = adam._pieceOwner[i];
                var p = adam._parameters[owner];
                var from = adam._pieceStart[i];
                var moments = p.Offset + from;
                Update(p.Data.Data + from, p.Grad.Data + from, adam.FirstMoment.Data + moments, adam.SecondMoment.Data + moments,
                    adam._pieceLength[i], adam._coefficients[owner]);
            }
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
