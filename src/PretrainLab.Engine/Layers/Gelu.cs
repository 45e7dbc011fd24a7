using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// GELU in its tanh form (Hendrycks and Gimpel; GPT-2's choice; PyTorch's
/// <c>GELU(approximate='tanh')</c>): <c>0.5·x·(1 + tanh(u))</c> with <c>u = √(2/π)·(x + 0.044715·x³)</c>.
/// </summary>
/// <remarks>
/// Computed as <c>x·σ(2u) = x / (1 + e^(−2u))</c>, the same function: one vector exp instead of a scalar
/// tanh, and no cancellation in <c>1 + tanh(u)</c> for negative x. The derivative is
/// <c>s + 2x·s·(1 − s)·√(2/π)·(1 + 3·0.044715·x²)</c> with <c>s = σ(2u)</c> and <c>1 − s = e^(−2u)·s</c>
/// (no cancellation for large x either). Every element goes through
/// the same vector code (a partial last vector is padded), so chunk boundaries, hence thread counts,
/// cannot change a bit.
/// </remarks>
public sealed unsafe class Gelu : Activation
{
    private const float Sqrt2OverPi = 0.7978845608028654f;
    private const float Coefficient = 0.044715f;
    private readonly Workspace _workspace;

    /// <summary>Creates the activation on <paramref name="workspace"/>'s threads.</summary>
    public Gelu(Workspace workspace) => _workspace = workspace;

    /// <inheritdoc/>
    public override void Forward(Tensor input, Tensor output, int length) =>
        _workspace.Parallelism.For(length, new ForwardOp(input.Data, output.Data), minRowsPerChunk: 32768);

    /// <inheritdoc/>
    public override void Backward(Tensor input, Tensor dOutput, Tensor dInput, int length) =>
        _workspace.Parallelism.For(length, new BackwardOp(input.Data, dOutput.Data, dInput.Data), minRowsPerChunk: 32768);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Value(Vector512<float> x)
    {
        var u = Sqrt2OverPi * (x + Coefficient * x * x * x);
        return x / (Vector512<float>.One + VectorMath.Exp(u * -2f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Value(Vector256<float> x)
    {
        var u = Sqrt2OverPi * (x + Coefficient * x * x * x);
        return x / (Vector256<float>.One + VectorMath.Exp(u * -2f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Derivative(Vector512<float> x)
    {
        var u = Sqrt2OverPi * (x + Coefficient * x * x * x);
        var e = VectorMath.Exp(u * -2f);
        var s = Vector512<float>.One / (Vector512<float>.One + e);
        var oneMinusS = Vector512.ConditionalSelect(Vector512.LessThan(e, Vector512.Create(float.PositiveInfinity)), e * s, Vector512<float>.One);
        return s + (x + x) * s * oneMinusS * (Sqrt2OverPi * (Vector512<float>.One + 3f * Coefficient * x * x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Derivative(Vector256<float> x)
    {
        var u = Sqrt2OverPi * (x + Coefficient * x * x * x);
        var e = VectorMath.Exp(u * -2f);
        var s = Vector256<float>.One / (Vector256<float>.One + e);
        var oneMinusS = Vector256.ConditionalSelect(Vector256.LessThan(e, Vector256.Create(float.PositiveInfinity)), e * s, Vector256<float>.One);
        return s + (x + x) * s * oneMinusS * (Sqrt2OverPi * (Vector256<float>.One + 3f * Coefficient * x * x));
    }

    private readonly struct ForwardOp(float* x, float* y) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var i = start;
            if (VectorMath.Wide)
            {
                for (; i + 16 <= end; i += 16)
                    Value(Vector512.Load(x + i)).Store(y + i);
            }
            for (; i + 8 <= end; i += 8)
                Value(Vector256.Load(x + i)).Store(y + i);
            if (i == end)
                return;
            var n = end - i;
            var tail = stackalloc float[8];
            new ReadOnlySpan<float>(x + i, n).CopyTo(new Span<float>(tail, 8));
            Value(Vector256.Load(tail)).Store(tail);
            new ReadOnlySpan<float>(tail, n).CopyTo(new Span<float>(y + i, n));
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
                    (Derivative(Vector512.Load(x + i)) * Vector512.Load(dy + i)).Store(dx + i);
            }
            for (; i + 8 <= end; i += 8)
                (Derivative(Vector256.Load(x + i)) * Vector256.Load(dy + i)).Store(dx + i);
            if (i == end)
                return;
            var n = end - i;
            var tail = stackalloc float[16];
            new ReadOnlySpan<float>(x + i, n).CopyTo(new Span<float>(tail, 8));
            new ReadOnlySpan<float>(dy + i, n).CopyTo(new Span<float>(tail + 8, 8));
            (Derivative(Vector256.Load(tail)) * Vector256.Load(tail + 8)).Store(tail);
            new ReadOnlySpan<float>(tail, n).CopyTo(new Span<float>(dx + i, n));
        }
    }
}
