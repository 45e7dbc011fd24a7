using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// RMSNorm (Zhang and Sennrich, 2019): <c>y = x / √(mean(x²) + ε) · g</c> per row, ε = 1e-6; the
/// gain g is optional (modded-nanogpt uses none).
/// </summary>
public sealed unsafe class RmsNorm : Norm
{
    private const float Epsilon = 1e-6f;
    private readonly Workspace _workspace;
    private readonly int _width;
    private Tensor _rrms;

    /// <summary>Declares <c>{name}.weight</c> (ones) when <paramref name="gain"/> is set.</summary>
    public RmsNorm(ParameterSet parameters, Workspace workspace, string name, int width, bool gain)
    {
        _workspace = workspace;
        _width = width;
        Weight = gain ? parameters.Declare($"{name}.weight", [width], ParameterKind.Vector, ParameterInit.Ones) : null;
    }

    /// <summary>The gain, or null.</summary>
    public Parameter? Weight { get; }

    /// <inheritdoc/>
    public override void Plan(TensorArena arena, int rows) => _rrms = arena.Allocate(rows);

    /// <inheritdoc/>
    public override void Forward(Tensor input, Tensor output, int rows) =>
        _workspace.Parallelism.For(rows, new ForwardRows(input.Data, output.Data, Weight is null ? null : Weight.Data.Data,
            _rrms.Data, _width), minRowsPerChunk: 16);

    /// <inheritdoc/>
    public override void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows)
    {
        var w = Weight is null ? null : Weight.Data.Data;
        _workspace.Parallelism.For(rows, new BackwardRows(input.Data, dOutput.Data, dInput.Data, w, _rrms.Data, _width), minRowsPerChunk: 16);
        if (Weight is null)
            return;
        var dw = Weight.Grad.Data;
        for (var r = 0; r < rows; r++)
        {
            var x = input.Data + (long)r * _width;
            var dy = dOutput.Data + (long)r * _width;
            var s = _rrms.Data[r];
            for (var i = 0; i < _width; i++)
                dw[i] += x[i] * s * dy[i];
        }
    }

    private readonly struct ForwardRows(float* x, float* y, float* w, float* rrms, int c) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var xr = x + (long)r * c;
                var yr = y + (long)r * c;
                var ms = 0f;
                for (var i = 0; i < c; i++)
                    ms += xr[i] * xr[i];
                var s = 1f / MathF.Sqrt(ms / c + Epsilon);
                rrms[r] = s;
                for (var i = 0; i < c; i++)
                    yr[i] = xr[i] * s * (w is null ? 1f : w[i]);
            }
        }
    }

    private readonly struct BackwardRows(float* x, float* dy, float* dx, float* w, float* rrms, int c) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var xr = x + (long)r * c;
                var dyr = dy + (long)r * c;
                var dxr = dx + (long)r * c;
                var s = rrms[r];
                // dL/dx = s·(g − x̂·mean(g·x̂)) with g = w·dy and x̂ = s·x.
                var gx = 0f;
                for (var i = 0; i < c; i++)
                    gx += (w is null ? 1f : w[i]) * dyr[i] * xr[i] * s;
                gx /= c;
                for (var i = 0; i < c; i++)
                    dxr[i] += ((w is null ? 1f : w[i]) * dyr[i] - xr[i] * s * gx) * s;
            }
        }
    }
}
