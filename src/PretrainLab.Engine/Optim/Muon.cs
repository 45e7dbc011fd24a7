using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// Muon for the hidden weight matrices (<see cref="ParameterKind.Matrix"/>): per matrix W [r, c] with
/// gradient G, <c>M ← βM + (1 − β)G</c>; Nesterov <c>U = (1 − β)G + βM</c>; <c>X = U/(‖U‖_F + 1e-7)</c>,
/// transposed when r &gt; c; five quintic Newton-Schulz steps <c>A = XXᵀ</c>,
/// <c>X ← aX + (bA + cA²)X</c> with (a, b, c) = (3.4445, −4.7750, 2.0315), which push X's singular
/// values towards 1; transposed back; <c>W ← W·(1 − lr·λ) − lr·√max(1, r/c)·X</c>, with λ the decoupled weight
/// decay (<see cref="MuonOptions.WeightDecay"/>; the decay is not scaled by the shape factor, as in Keller Jordan's
/// Muon and PyTorch's).
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
    private readonly Tensor _xT;
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
        _xT = _arena.Allocate(maxLength);
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
            double norm2 = 0;
            for (var j = 0; j < n; j++)
            {
                m[j] = beta * m[j] + (1 - beta) * g[j];
                var u = (1 - beta) * g[j] + beta * m[j];
                x[j] = u;
                norm2 += (double)u * u;
            }
            var inv = (float)(1.0 / (Math.Sqrt(norm2) + 1e-7));
            for (var j = 0; j < n; j++)
                x[j] *= inv;

            // Work on the wide orientation so the Gram matrix is the small side squared.
            var transposed = rows > cols;
            int r = transposed ? cols : rows, c = transposed ? rows : cols;
            if (transposed)
            {
                Transpose(x, _xT.Data, rows, cols);
                new Span<float>(_xT.Data, n).CopyTo(new Span<float>(x, n));
            }
            for (var step = 0; step < Options.NewtonSchulzSteps; step++)
                NewtonSchulzStep(r, c);
            if (transposed)
            {
                Transpose(x, _xT.Data, r, c);
                x = _xT.Data;
            }

            var scale = (float)(plr * Math.Sqrt(Math.Max(1.0, (double)rows / cols)));
            var decay = (float)(1.0 - plr * Options.WeightDecay);
            for (var j = 0; j < n; j++)
                w[j] = w[j] * decay - scale * x[j];
        }
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

    // X ← aX + (bA + cA·A)X with A = X·Xᵀ, for X of shape [r, c], r ≤ c.
    private void NewtonSchulzStep(int r, int c)
    {
        float* x = _x.Data, gram = _gram.Data, gram2 = _gram2.Data, product = _product.Data;
        Gemm.MultiplyTransposed(_parallelism, x, x, gram, r, r, c, null, accumulate: false);
        // A is symmetric, so A·A = A·Aᵀ.
        Gemm.MultiplyTransposed(_parallelism, gram, gram, gram2, r, r, r, null, accumulate: false);
        for (var j = 0; j < r * r; j++)
            gram2[j] = B * gram[j] + C * gram2[j];
        Gemm.Multiply(_parallelism, gram2, transposeA: false, x, transposeB: false, product, r, c, r, null, accumulate: false);
        for (var j = 0; j < r * c; j++)
            x[j] = A * x[j] + product[j];
    }
}
