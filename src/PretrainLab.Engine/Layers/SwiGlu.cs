using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// SwiGLU's gating (Shazeer, 2020): per row of a [rows, 2H] input whose first H columns are the gate
/// g and last H the value u, <c>y = silu(g)·u</c> with <c>silu(g) = g·σ(g)</c>.
/// </summary>
/// <remarks>
/// Per element, with <c>σ = 1/(1 + e^(−g))</c> (<see cref="VectorMath.Exp(Vector256{float})"/>):
/// forward <c>y = (g/(1 + e^(−g)))·u</c>; backward <c>du = dy·(g·σ)</c> and
/// <c>dg = ((dy·u)·σ)·(1 + g·(1 − σ))</c>. Every element goes through the same vector code (a partial
/// last vector of a row is padded), and the exponential has the same bits at 8 and 16 lanes, so an
/// element's result does not depend on where it lies or which thread computes it.
/// </remarks>
public sealed unsafe class SwiGlu(Workspace workspace)
{
    /// <summary>Writes <c>y[r, i] = silu(x[r, i])·x[r, H + i]</c> for <paramref name="rows"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int rows, int hidden) =>
        workspace.Parallelism.For(rows, new ForwardRows(input.Data, output.Data, hidden), minRowsPerChunk: Math.Max(1, 16384 / Math.Max(1, hidden)));

    /// <summary>Writes <c>dL/dg = dy·u·silu'(g)</c> and <c>dL/du = dy·silu(g)</c> into the [rows, 2H] <paramref name="dInput"/>.</summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows, int hidden) =>
        workspace.Parallelism.For(rows, new BackwardRows(input.Data, dOutput.Data, dInput.Data, hidden), minRowsPerChunk: Math.Max(1, 16384 / Math.Max(1, hidden)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Value(Vector512<float> g, Vector512<float> u) =>
        g / (Vector512<float>.One + VectorMath.Exp(-g)) * u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Value(Vector256<float> g, Vector256<float> u) =>
        g / (Vector256<float>.One + VectorMath.Exp(-g)) * u;

    /// <summary>Writes du and dg for one vector of g, u and dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradients(Vector512<float> g, Vector512<float> u, Vector512<float> dy, float* dg, float* du)
    {
        var sigma = Vector512<float>.One / (Vector512<float>.One + VectorMath.Exp(-g));
        (dy * (g * sigma)).Store(du);
        (dy * u * sigma * (Vector512<float>.One + g * (Vector512<float>.One - sigma))).Store(dg);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradients(Vector256<float> g, Vector256<float> u, Vector256<float> dy, float* dg, float* du)
    {
        var sigma = Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp(-g));
        (dy * (g * sigma)).Store(du);
        (dy * u * sigma * (Vector256<float>.One + g * (Vector256<float>.One - sigma))).Store(dg);
    }

    private readonly struct ForwardRows(float* x, float* y, int h) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var tail = stackalloc float[16];
            for (var r = start; r < end; r++)
            {
                var g = x + (long)r * 2 * h;
                var u = g + h;
                var yr = y + (long)r * h;
                var i = 0;
                if (VectorMath.Wide)
                {
                    for (; i + 16 <= h; i += 16)
                        Value(Vector512.Load(g + i), Vector512.Load(u + i)).Store(yr + i);
                }
                for (; i + 8 <= h; i += 8)
                    Value(Vector256.Load(g + i), Vector256.Load(u + i)).Store(yr + i);
                if (i == h)
                    continue;
                var n = h - i;
                new Span<float>(tail, 16).Clear();
                new ReadOnlySpan<float>(g + i, n).CopyTo(new Span<float>(tail, 8));
                new ReadOnlySpan<float>(u + i, n).CopyTo(new Span<float>(tail + 8, 8));
                Value(Vector256.Load(tail), Vector256.Load(tail + 8)).Store(tail);
                new ReadOnlySpan<float>(tail, n).CopyTo(new Span<float>(yr + i, n));
            }
        }
    }

    private readonly struct BackwardRows(float* x, float* dy, float* dx, int h) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var tail = stackalloc float[40];
            for (var r = start; r < end; r++)
            {
                var g = x + (long)r * 2 * h;
                var u = g + h;
                var dyr = dy + (long)r * h;
                var dg = dx + (long)r * 2 * h;
                var du = dg + h;
                var i = 0;
                if (VectorMath.Wide)
                {
                    for (; i + 16 <= h; i += 16)
                        Gradients(Vector512.Load(g + i), Vector512.Load(u + i), Vector512.Load(dyr + i), dg + i, du + i);
                }
                for (; i + 8 <= h; i += 8)
                    Gradients(Vector256.Load(g + i), Vector256.Load(u + i), Vector256.Load(dyr + i), dg + i, du + i);
                if (i == h)
                    continue;
                var n = h - i;
                new Span<float>(tail, 24).Clear();
                new ReadOnlySpan<float>(g + i, n).CopyTo(new Span<float>(tail, 8));
                new ReadOnlySpan<float>(u + i, n).CopyTo(new Span<float>(tail + 8, 8));
                new ReadOnlySpan<float>(dyr + i, n).CopyTo(new Span<float>(tail + 16, 8));
                Gradients(Vector256.Load(tail), Vector256.Load(tail + 8), Vector256.Load(tail + 16), tail + 24, tail + 32);
                new ReadOnlySpan<float>(tail + 24, n).CopyTo(new Span<float>(dg + i, n));
                new ReadOnlySpan<float>(tail + 32, n).CopyTo(new Span<float>(du + i, n));
            }
        }
    }
}
