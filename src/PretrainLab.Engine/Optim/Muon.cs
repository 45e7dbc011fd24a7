using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// Muon for the hidden weight matrices (<see cref="ParameterKind.Matrix"/>): per matrix W [r, c] with
/// gradient G, <c>M ← βM + (1 − β)G</c>; Nesterov <c>U = (1 − β)G + βM</c>; <c>X = U/(‖U‖_F + 1e-7)</c>;
/// five quintic Newton-Schulz steps <c>A = XXᵀ</c>, <c>X ← aX + (bA + cA²)X</c> with
/// (a, b, c) = (3.4445, −4.7750, 2.0315), which push X's singular values towards 1 (on Xᵀ when
/// r &gt; c, so that A is the small side squared); <c>W ← W·(1 − lr·λ) − lr·√max(1, r/c)·X</c>, with λ the
/// decoupled weight decay (<see cref="MuonOptions.WeightDecay"/>; the decay is not scaled by the shape factor, as in
/// Keller Jordan's Muon and PyTorch's).
/// </summary>
/// <remarks>Products run on <see cref="Gemm"/>, so the update is the same for any thread count.
/// Scratch is sized once for the largest matrix.</remarks>
public sealed unsafe class Muon : IOptimizer
{
    private const float A = 3.4445f, B = -4.7750f, C = 2.0315f;
    private readonly TensorArena _arena = new();
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _momentum;
    private readonly GroupLearningRates? _rates;
    private readonly Parallelism _parallelism;
    private readonly Tensor _x;
    private readonly Tensor _gram;
    private readonly Tensor _gram2;
    private readonly Tensor _product;

    /// <summary>Creates zeroed momentum buffers for every hidden matrix of <paramref name="parameters"/>.</summary>
    public Muon(ParameterSet parameters, MuonOptions options, Parallelism parallelism, GroupLearningRates? rates = null)
    {
        _parameters = parameters.All.Where(p => p.Kind == ParameterKind.Matrix).ToArray();
        Options = options;
        _rates = rates;
        _parallelism = parallelism;
        _momentum = _parameters.Select(p => _arena.Allocate(p.Length)).ToArray();
        long maxLength = 1, maxSide = 1;
        foreach (var p in _parameters)
        {
            maxLength = Math.Max(maxLength, p.Length);
            maxSide = Math.Max(maxSide, Math.Min(p.Shape[0], p.Shape[1]));
        }
        _x = _arena.Allocate(maxLength);
        _product = _arena.Allocate(maxLength);
        _gram = _arena.Allocate(maxSide * maxSide);
        _gram2 = _arena.Allocate(maxSide * maxSide);
    }

    /// <summary>The hyperparameters.</summary>
    public MuonOptions Options { get; }

    /// <inheritdoc/>
    public long StepCount { get; set; }

    /// <inheritdoc/>
    public IEnumerable<OptimizerState> State =>
        _parameters.Select((p, i) => new OptimizerState($"{p.Name}.momentum_buffer", p.Shape, _momentum[i]));

    /// <inheritdoc/>
    public void Step(double lr)
    {
        StepCount++;
        var beta = (float)Options.Momentum;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var plr = _rates?.For(p.Kind, lr) ?? lr;
            int rows = p.Shape[0], cols = p.Shape[1], n = p.Length;
            float* g = p.Grad.Data, m = _momentum[i].Data, w = p.Data.Data, x = _x.Data;
            var inv = (float)(1.0 / (Math.Sqrt(Nesterov(g, m, x, n, beta)) + 1e-7));
            VectorMath.Scale(x, inv, n);

            for (var step = 0; step < Options.NewtonSchulzSteps; step++)
                NewtonSchulzStep(rows, cols);

            var scale = (float)(plr * Math.Sqrt(Math.Max(1.0, (double)rows / cols)));
            var decay = (float)(1.0 - plr * Options.WeightDecay);
            Apply(w, x, n, decay, scale);
        }
    }

    /// <summary>
    /// <c>m ← β·m + (1 − β)·g</c> and <c>x = (1 − β)·g + β·m</c> per element (unfused, the same
    /// operations in every lane); returns <c>Σ x²</c> as <see cref="VectorMath.SumOfSquares(float*, int)"/>.
    /// </summary>
    private static double Nesterov(float* g, float* m, float* x, int n, float beta)
    {
        var keep = 1 - beta;
        var j = 0;
        if (VectorMath.Wide)
        {
            for (; j + 16 <= n; j += 16)
            {
                var gj = Vector512.Load(g + j);
                var mj = beta * Vector512.Load(m + j) + keep * gj;
                mj.Store(m + j);
                (keep * gj + beta * mj).Store(x + j);
            }
        }
        for (; j + 8 <= n; j += 8)
        {
            var gj = Vector256.Load(g + j);
            var mj = beta * Vector256.Load(m + j) + keep * gj;
            mj.Store(m + j);
            (keep * gj + beta * mj).Store(x + j);
        }
        for (; j < n; j++)
        {
            m[j] = beta * m[j] + keep * g[j];
            x[j] = keep * g[j] + beta * m[j];
        }
        return VectorMath.SumOfSquares(x, n);
    }

    /// <summary><c>w ← w·decay − scale·x</c> per element, unfused.</summary>
    private static void Apply(float* w, float* x, int n, float decay, float scale)
    {
        var j = 0;
        if (VectorMath.Wide)
        {
            for (; j + 16 <= n; j += 16)
                (Vector512.Load(w + j) * decay - scale * Vector512.Load(x + j)).Store(w + j);
        }
        for (; j + 8 <= n; j += 8)
            (Vector256.Load(w + j) * decay - scale * Vector256.Load(x + j)).Store(w + j);
        for (; j < n; j++)
            w[j] = w[j] * decay - scale * x[j];
    }

    /// <summary><c>dst = p·x + q·y</c> per element, unfused; <paramref name="dst"/> may be x or y.</summary>
    private static void Combine(float p, float* x, float q, float* y, float* dst, int n)
    {
        var j = 0;
        if (VectorMath.Wide)
        {
            for (; j + 16 <= n; j += 16)
                (p * Vector512.Load(x + j) + q * Vector512.Load(y + j)).Store(dst + j);
        }
        for (; j + 8 <= n; j += 8)
            (p * Vector256.Load(x + j) + q * Vector256.Load(y + j)).Store(dst + j);
        for (; j < n; j++)
            dst[j] = p * x[j] + q * y[j];
    }

    /// <summary>Frees the optimizer's buffers.</summary>
    public void Dispose() => _arena.Dispose();

    // dst[j, i] = src[i, j] for src [rows, cols]; O(rows·cols), small next to the products.
    private static void Transpose(float* src, float* dst, int rows, int cols)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
                dst[(long)j * rows + i] = src[(long)i * cols + j];
        }
    }

    /// <summary>
    /// One quintic step on X [r, c]: for r ≤ c, <c>X ← aX + (bA + cA·A)X</c> with <c>A = X·Xᵀ</c>; for
    /// r &gt; c, <c>X ← aX + X(bA + cA·A)</c> with <c>A = Xᵀ·X</c>, which is the first form applied to Xᵀ
    /// (the Gram matrix is the small side squared either way). A and A·A are exactly symmetric (each
    /// element and its mirror are the same products in the same order), so the second form gives the
    /// bits of transposing, stepping and transposing back.
    /// </summary>
    private void NewtonSchulzStep(int r, int c)
    {
        float* x = _x.Data, gram = _gram.Data, gram2 = _gram2.Data, product = _product.Data;
        var tall = r > c;
        var side = tall ? c : r;
        if (tall)
            Gemm.Multiply(_parallelism, x, transposeA: true, x, transposeB: false, gram, side, side, r, null, accumulate: false);
        else
            Gemm.MultiplyTransposed(_parallelism, x, x, gram, side, side, c, null, accumulate: false);
        // A is symmetric, so A·A = A·Aᵀ.
        Gemm.MultiplyTransposed(_parallelism, gram, gram, gram2, side, side, side, null, accumulate: false);
        Combine(B, gram, C, gram2, gram2, side * side);
        if (tall)
            Gemm.Multiply(_parallelism, x, transposeA: false, gram2, transposeB: false, product, r, c, c, null, accumulate: false);
        else
            Gemm.Multiply(_parallelism, gram2, transposeA: false, x, transposeB: false, product, r, c, r, null, accumulate: false);
        // 1·product is exact: x ← A·x + product.
        Combine(A, x, 1f, product, x, r * c);
    }
}
