using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// SwiGLU's gating (Shazeer, 2020): per row of a [rows, 2H] input whose first H columns are the gate
/// g and last H the value u, <c>y = silu(g)·u</c> with <c>silu(g) = g·σ(g)</c>.
/// </summary>
public sealed unsafe class SwiGlu(Workspace workspace)
{
    /// <summary>Writes <c>y[r, i] = silu(x[r, i])·x[r, H + i]</c> for <paramref name="rows"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int rows, int hidden) =>
        workspace.Parallelism.For(rows, new ForwardRows(input.Data, output.Data, hidden), minRowsPerChunk: 16);

    /// <summary>Writes <c>dL/dg = dy·u·silu'(g)</c> and <c>dL/du = dy·silu(g)</c> into the [rows, 2H] <paramref name="dInput"/>.</summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows, int hidden) =>
        workspace.Parallelism.For(rows, new BackwardRows(input.Data, dOutput.Data, dInput.Data, hidden), minRowsPerChunk: 16);

    private readonly struct ForwardRows(float* x, float* y, int h) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var g = x + (long)r * 2 * h;
                var u = g + h;
                var yr = y + (long)r * h;
                for (var i = 0; i < h; i++)
                    yr[i] = g[i] / (1f + MathF.Exp(-g[i])) * u[i];
            }
        }
    }

    private readonly struct BackwardRows(float* x, float* dy, float* dx, int h) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var g = x + (long)r * 2 * h;
                var u = g + h;
                var dyr = dy + (long)r * h;
                var dg = dx + (long)r * 2 * h;
                var du = dg + h;
                for (var i = 0; i < h; i++)
                {
                    var sigma = 1f / (1f + MathF.Exp(-g[i]));
                    var silu = g[i] * sigma;
                    du[i] = dyr[i] * silu;
                    dg[i] = dyr[i] * u[i] * sigma * (1f + g[i] * (1f - sigma));
                }
            }
        }
    }
}
