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
        _workspace.Parallelism.For(rows, new BackwardRows(input.Data, dOutput.Data, dInput.Data, Weight.Data.Data,
            _mean.Data, _rstd.Data, _width), minRowsPerChunk: 16);

        // Parameter gradients sum over rows: done in row order for thread-count independence.
        var dw = Weight.Grad.Data;
        var db = Bias is null ? null : Bias.Grad.Data;
        for (var r = 0; r < rows; r++)
        {
            var x = input.Data + (long)r * _width;
            var dy = dOutput.Data + (long)r * _width;
            float mean = _mean.Data[r], rstd = _rstd.Data[r];
            for (var i = 0; i < _width; i++)
            {
                if (db is not null)
                    db[i] += dy[i];
                dw[i] += (x[i] - mean) * rstd * dy[i];
            }
        }
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
                var m = 0f;
                for (var i = 0; i < c; i++)
                    m += xr[i];
                m /= c;
                var v = 0f;
                for (var i = 0; i < c; i++)
                {
                    var d = xr[i] - m;
                    v += d * d;
                }
                v /= c;
                var s = 1f / MathF.Sqrt(v + Epsilon);
                for (var i = 0; i < c; i++)
                    yr[i] = (xr[i] - m) * s * w[i] + (b is null ? 0f : b[i]);
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
                // dL/dx = s·(g − mean(g) − x̂·mean(g·x̂)) with g = γ·dy and x̂ the normalised input.
                var gMean = 0f;
                var gxMean = 0f;
                for (var i = 0; i < c; i++)
                {
                    var g = w[i] * dyr[i];
                    gMean += g;
                    gxMean += g * (xr[i] - m) * s;
                }
                gMean /= c;
                gxMean /= c;
                for (var i = 0; i < c; i++)
                {
                    var xhat = (xr[i] - m) * s;
                    dxr[i] += (w[i] * dyr[i] - gMean - xhat * gxMean) * s;
                }
            }
        }
    }
}
