using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// GELU in its tanh form (Hendrycks and Gimpel; GPT-2's choice; PyTorch's
/// <c>GELU(approximate='tanh')</c>): <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>.
/// </summary>
public sealed unsafe class Gelu : Activation
{
    private const float Sqrt2OverPi = 0.7978845608028654f;
    private const float Coefficient = 0.044715f;
    private readonly Workspace _workspace;

    /// <summary>Creates the activation on <paramref name="workspace"/>'s threads.</summary>
    public Gelu(Workspace workspace) => _workspace = workspace;

    /// <inheritdoc/>
    public override void Forward(Tensor input, Tensor output, int length) =>
        _workspace.Parallelism.For(length, new ForwardOp(input.Data, output.Data), minRowsPerChunk: 8192);

    /// <inheritdoc/>
    public override void Backward(Tensor input, Tensor dOutput, Tensor dInput, int length) =>
        _workspace.Parallelism.For(length, new BackwardOp(input.Data, dOutput.Data, dInput.Data), minRowsPerChunk: 8192);

    private readonly struct ForwardOp(float* x, float* y) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var v = x[i];
                y[i] = 0.5f * v * (1f + MathF.Tanh(Sqrt2OverPi * (v + Coefficient * v * v * v)));
            }
        }
    }

    private readonly struct BackwardOp(float* x, float* dy, float* dx) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var v = x[i];
                var u = Sqrt2OverPi * (v + Coefficient * v * v * v);
                var t = MathF.Tanh(u);
                var sech2 = 1f - t * t;
                var grad = 0.5f * (1f + t) + 0.5f * v * sech2 * Sqrt2OverPi * (1f + 3f * Coefficient * v * v);
                dx[i] = grad * dy[i];
            }
        }
    }
}
