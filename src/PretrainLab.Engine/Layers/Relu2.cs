using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>ReLU squared (Primer; modded-nanogpt): <c>y = max(0, x)²</c>, <c>dy/dx = 2·max(0, x)</c>.</summary>
public sealed unsafe class Relu2(Workspace workspace) : Activation
{
    /// <inheritdoc/>
    public override void Forward(Tensor input, Tensor output, int length) =>
        workspace.Parallelism.For(length, new ForwardOp(input.Data, output.Data), minRowsPerChunk: 8192);

    /// <inheritdoc/>
    public override void Backward(Tensor input, Tensor dOutput, Tensor dInput, int length) =>
        workspace.Parallelism.For(length, new BackwardOp(input.Data, dOutput.Data, dInput.Data), minRowsPerChunk: 8192);

    private readonly struct ForwardOp(float* x, float* y) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var r = MathF.Max(x[i], 0f);
                y[i] = r * r;
            }
        }
    }

    private readonly struct BackwardOp(float* x, float* dy, float* dx) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
                dx[i] = 2f * MathF.Max(x[i], 0f) * dy[i];
        }
    }
}
