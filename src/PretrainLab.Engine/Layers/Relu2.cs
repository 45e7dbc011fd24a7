using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>ReLU squared (Primer; modded-nanogpt): <c>y = max(0, x)²</c>, <c>dy/dx = 2·max(0, x)</c>.</summary>
/// <remarks>
/// Per element, forward <c>r = max(x, 0)</c> (IEEE maximum: NaN stays NaN) then <c>y = r·r</c>;
/// backward <c>dx = (2·r)·dy</c>. The Vector512, Vector256 and scalar loops perform exactly these
/// operations (no fused multiply-add), so an element's bits do not depend on its lane, chunk or thread.
/// </remarks>
public sealed unsafe class Relu2(Workspace workspace) : Activation
{
    /// <inheritdoc/>
    public override void Forward(Tensor input, Tensor output, int length) =>
        workspace.Parallelism.For(length, new ForwardOp(input.Data, output.Data), minRowsPerChunk: 32768);

    /// <inheritdoc/>
    public override void Backward(Tensor input, Tensor dOutput, Tensor dInput, int length) =>
        workspace.Parallelism.For(length, new BackwardOp(input.Data, dOutput.Data, dInput.Data), minRowsPerChunk: 32768);

    private readonly struct ForwardOp(float* x, float* y) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var i = start;
            if (VectorMath.Wide)
            {
                for (; i + 16 <= end; i += 16)
                {
                    var r = Vector512.Max(Vector512.Load(x + i), Vector512<float>.Zero);
                    (r * r).Store(y + i);
                }
            }
            for (; i + 8 <= end; i += 8)
            {
                var r = Vector256.Max(Vector256.Load(x + i), Vector256<float>.Zero);
                (r * r).Store(y + i);
            }
            for (; i < end; i++)
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
            var i = start;
            if (VectorMath.Wide)
            {
                for (; i + 16 <= end; i += 16)
                {
                    var r = Vector512.Max(Vector512.Load(x + i), Vector512<float>.Zero);
                    (2f * r * Vector512.Load(dy + i)).Store(dx + i);
                }
            }
            for (; i + 8 <= end; i += 8)
            {
                var r = Vector256.Max(Vector256.Load(x + i), Vector256<float>.Zero);
                (2f * r * Vector256.Load(dy + i)).Store(dx + i);
            }
            for (; i < end; i++)
                dx[i] = 2f * MathF.Max(x[i], 0f) * dy[i];
        }
    }
}
