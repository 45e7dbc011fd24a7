using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// LayerNorm (Ba et al., 2016): <c>y = (x − μ)/√(σ² + ε) · γ + β</c> per row, biased variance,
/// ε = 1e-5 as in PyTorch.
/// </summary>
public sealed unsafe class LayerNorm : Norm
{
    private const float Epsilon = 1e-5f;

    // Columns of the parameter gradients per parallel unit.
    private const int ParameterColumns = 64;
    private readonly Workspace _workspace;
    private readonly int _width;
    private Tensor _mean;
    private Tensor _rstd;

    /// <summary>Declares <c>{name}.weight</c> (ones) and, with <paramref name="bias"/>, <c>{name}.bias</c> (zeros).</summary>
    public LayerNorm(ParameterSet parameters, Workspace workspace, string name, int width, bool bias = true)
    {
        _workspace = workspace;
        _width = width;
        Weight = parameters.Declare($"{name}.weight", [width], ParameterKind.Vector, ParameterInit.Ones);
        Bias = bias ? parameters.Declare($"{name}.bias", [width], ParameterKind.Vector, ParameterInit.Zeros) : null;
    }

    /// <summary>The gain γ.</summary>
    public Parameter Weight { get; }

    /// <summary>The shift β, or null without biases.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override void Plan(TensorArena arena, int rows)
    {
        _mean = arena.Allocate(rows);
        _rstd = arena.Allocate(rows);
    }

    /// <inheritdoc/>
    public override void Forward(Tensor input, Tensor output, int rows) =>
        _workspace.Parallelism.For(rows, new ForwardRows(input.Data, output.Data, Weight.Data.Data, Bias is null ? null : Bias.Data.Data,
            _mean.Data, _rstd.Data, _width), minRowsPerChunk: 16);

    /// <inheritdoc/>
    public override void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows)
    {
        var par = _workspace.Parallelism;
        par.For(rows, new BackwardRows(input.Data, dOutput.Data, dInput.Data, Weight.Data.Data, _mean.Data, _rstd.Data, _width),
            minRowsPerChunk: 16);
        // Parameter gradients sum over rows: each column in row order, so any thread count gives the same bits.
        par.For((_width + ParameterColumns - 1) / ParameterColumns, new ParameterGradients(input.Data, dOutput.Data,
                Weight.Grad.Data, Bias is null ? null : Bias.Grad.Data, _mean.Data, _rstd.Data, rows, _width),
            minRowsPerChunk: Math.Max(1, (1 << 17) / Math.Max(1, rows * ParameterColumns)));
    }

    private readonly struct ForwardRows(float* x, float* y, float* w, float* b, float* mean, float* rstd, int c)
        : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var xr = x + (long)r * c;
                var yr = y + (long)r * c;
                var sum = Vector256<float>.Zero;
                var i = 0;
                for (; i + 8 <= c; i += 8)
                    sum += Vector256.Load(xr + i);
                var m = Vector256.Sum(sum);
                for (; i < c; i++)
                    m += xr[i];
                m /= c;

                var vm = Vector256.Create(m);
                var squares = Vector256<float>.Zero;
                i = 0;
                for (; i + 8 <= c; i += 8)
                {
                    var d = Vector256.Load(xr + i) - vm;
                    squares = Vector256.FusedMultiplyAdd(d, d, squares);
                }
                var v = Vector256.Sum(squares);
                for (; i < c; i++)
                    v = MathF.FusedMultiplyAdd(xr[i] - m, xr[i] - m, v);
                v /= c;
                var s = 1f / MathF.Sqrt(v + Epsilon);

                var vs = Vector256.Create(s);
                i = 0;
                for (; i + 8 <= c; i += 8)
                {
                    var shift = b is null ? Vector256<float>.Zero : Vector256.Load(b + i);
                    Vector256.FusedMultiplyAdd((Vector256.Load(xr + i) - vm) * vs, Vector256.Load(w + i), shift).Store(yr + i);
                }
                for (; i < c; i++)
                    yr[i] = MathF.FusedMultiplyAdd((xr[i] - m) * s, w[i], b is null ? 0f : b[i]);
                mean[r] = m;
                rstd[r] = s;
            }
        }
    }

    private readonly struct BackwardRows(float* x, float* dy, float* dx, float* w, float* mean, float* rstd, int c)
        : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var xr = x + (long)r * c;
                var dyr = dy + (long)r * c;
                var dxr = dx + (long)r * c;
                float m = mean[r], s = rstd[r];
                var vm = Vector256.Create(m);
                var vs = Vector256.Create(s);
                // dL/dx = s·(g − mean(g) − x̂·mean(g·x̂)) with g = γ·dy and x̂ the normalised input.
                Vector256<float> gSum = Vector256<float>.Zero, gxSum = Vector256<float>.Zero;
                var i = 0;
                for (; i + 8 <= c; i += 8)
                {
                    var g = Vector256.Load(w + i) * Vector256.Load(dyr + i);
                    gSum += g;
                    gxSum = Vector256.FusedMultiplyAdd(g, (Vector256.Load(xr + i) - vm) * vs, gxSum);
                }
                var gMean = Vector256.Sum(gSum);
                var gxMean = Vector256.Sum(gxSum);
                for (; i < c; i++)
                {
                    var g = w[i] * dyr[i];
                    gMean += g;
                    gxMean = MathF.FusedMultiplyAdd(g, (xr[i] - m) * s, gxMean);
                }
                gMean /= c;
                gxMean /= c;

                var vg = Vector256.Create(gMean);
                var vgx = Vector256.Create(gxMean);
                i = 0;
                for (; i + 8 <= c; i += 8)
                {
                    var xhat = (Vector256.Load(xr + i) - vm) * vs;
                    var g = Vector256.Load(w + i) * Vector256.Load(dyr + i);
                    (Vector256.Load(dxr + i) + (g - vg - xhat * vgx) * vs).Store(dxr + i);
                }
                for (; i < c; i++)
                {
                    var xhat = (xr[i] - m) * s;
                    dxr[i] += (w[i] * dyr[i] - gMean - xhat * gxMean) * s;
                }
            }
        }
    }

    /// <summary>
    /// Adds <c>Σ_r x̂·dy</c> to dγ and <c>Σ_r dy</c> to dβ for the columns of units [start, end), rows in
    /// order; vector lanes are columns, so every element sees the same operations as a scalar loop.
    /// </summary>
    private readonly struct ParameterGradients(float* x, float* dy, float* dw, float* db, float* mean, float* rstd, int rows, int c)
        : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var from = start * ParameterColumns;
            var to = Math.Min(end * ParameterColumns, c);
            for (var r = 0; r < rows; r++)
            {
                var xr = x + (long)r * c;
                var dyr = dy + (long)r * c;
                float m = mean[r], s = rstd[r];
                var vm = Vector256.Create(m);
                var vs = Vector256.Create(s);
                var i = from;
                for (; i + 8 <= to; i += 8)
                {
                    var d = Vector256.Load(dyr + i);
                    if (db is not null)
                        (Vector256.Load(db + i) + d).Store(db + i);
                    (Vector256.Load(dw + i) + (Vector256.Load(xr + i) - vm) * vs * d).Store(dw + i);
                }
                for (; i < to; i++)
                {
                    if (db is not null)
                        db[i] += dyr[i];
                    dw[i] += (xr[i] - m) * s * dyr[i];
                }
            }
        }
    }
}
