using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// RMSNorm (Zhang and Sennrich, 2019): <c>y = x / √(mean(x²) + ε) · g</c> per row, ε = 1e-6; the
/// gain g is optional (modded-nanogpt uses none).
/// </summary>
/// <remarks>
/// Per row, <c>s = 1/√(Σx²/C + ε)</c> with the sum as <see cref="VectorMath.Dot"/>, then
/// <c>y = (x·s)·g</c>. Backward: with <c>h = g·dy</c> and <c>a = s·(Σ h·x)/C</c>,
/// <c>dx += (h − (x·s)·a)·s</c>, and <c>dg += (x·s)·dy</c> summed over rows in row order. A row's
/// sums have a fixed order for its width and every element-wise step is the same operation in every
/// lane, so any thread count gives the same bits.
/// </remarks>
public sealed unsafe class RmsNorm : Norm
{
    private const float Epsilon = 1e-6f;

    // Columns of the gain's gradient per parallel unit.
    private const int ParameterColumns = 64;
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
        var par = _workspace.Parallelism;
        var w = Weight is null ? null : Weight.Data.Data;
        par.For(rows, new BackwardRows(input.Data, dOutput.Data, dInput.Data, w, _rrms.Data, _width), minRowsPerChunk: 16);
        if (Weight is null)
            return;
        par.For((_width + ParameterColumns - 1) / ParameterColumns,
            new GainGradient(input.Data, dOutput.Data, Weight.Grad.Data, _rrms.Data, rows, _width),
            minRowsPerChunk: Math.Max(1, (1 << 17) / Math.Max(1, rows * ParameterColumns)));
    }

    /// <summary><c>1/√(Σ x²/n + ε)</c> for one row of <paramref name="n"/> values.</summary>
    internal static float InverseRms(float* x, int n, float epsilon) => 1f / MathF.Sqrt(VectorMath.Dot(x, x, n) / n + epsilon);

    /// <summary>
    /// <c>Σ g[i]·dy[i]·x[i]</c> (<c>Σ dy[i]·x[i]</c> when <paramref name="g"/> is null), the sum in
    /// <see cref="VectorMath.Dot"/>'s order with the products <c>(g·dy)</c> formed first.
    /// </summary>
    internal static float GainDot(float* g, float* dy, float* x, int n)
    {
        if (g is null)
            return VectorMath.Dot(dy, x, n);
        var p = 0;
        float s;
        if (VectorMath.Wide && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; p <= n - 16; p += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(g + p) * Vector512.Load(dy + p), Vector512.Load(x + p), acc);
            s = Vector512.Sum(acc);
        }
        else
        {
            var acc = Vector256<float>.Zero;
            for (; p <= n - 8; p += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(g + p) * Vector256.Load(dy + p), Vector256.Load(x + p), acc);
            s = Vector256.Sum(acc);
        }
        for (; p < n; p++)
            s += g[p] * dy[p] * x[p];
        return s;
    }

    private readonly struct ForwardRows(float* x, float* y, float* w, float* rrms, int c) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var xr = x + (long)r * c;
                var yr = y + (long)r * c;
                var s = InverseRms(xr, c, Epsilon);
                rrms[r] = s;
                var i = 0;
                if (VectorMath.Wide)
                {
                    var vs = Vector512.Create(s);
                    for (; i + 16 <= c; i += 16)
                    {
                        var v = Vector512.Load(xr + i) * vs;
                        (w is null ? v : v * Vector512.Load(w + i)).Store(yr + i);
                    }
                }
                var vs8 = Vector256.Create(s);
                for (; i + 8 <= c; i += 8)
                {
                    var v = Vector256.Load(xr + i) * vs8;
                    (w is null ? v : v * Vector256.Load(w + i)).Store(yr + i);
                }
                for (; i < c; i++)
                    yr[i] = w is null ? xr[i] * s : xr[i] * s * w[i];
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
                // dL/dx = s·(h − x̂·mean(h·x̂)) with h = g·dy and x̂ = s·x.
                var a = s * GainDot(w, dyr, xr, c) / c;
                var i = 0;
                if (VectorMath.Wide)
                {
                    Vector512<float> vs = Vector512.Create(s), va = Vector512.Create(a);
                    for (; i + 16 <= c; i += 16)
                    {
                        var h = w is null ? Vector512.Load(dyr + i) : Vector512.Load(w + i) * Vector512.Load(dyr + i);
                        (Vector512.Load(dxr + i) + (h - Vector512.Load(xr + i) * vs * va) * vs).Store(dxr + i);
                    }
                }
                Vector256<float> vs8 = Vector256.Create(s), va8 = Vector256.Create(a);
                for (; i + 8 <= c; i += 8)
                {
                    var h = w is null ? Vector256.Load(dyr + i) : Vector256.Load(w + i) * Vector256.Load(dyr + i);
                    (Vector256.Load(dxr + i) + (h - Vector256.Load(xr + i) * vs8 * va8) * vs8).Store(dxr + i);
                }
                for (; i < c; i++)
                {
                    var h = w is null ? dyr[i] : w[i] * dyr[i];
                    dxr[i] += (h - xr[i] * s * a) * s;
                }
            }
        }
    }

    /// <summary>
    /// Adds <c>Σ_r (x·s)·dy</c> to dg for the columns of units [start, end), rows in order; vector lanes
    /// are columns, so every element sees the same operations as a scalar loop.
    /// </summary>
    private readonly struct GainGradient(float* x, float* dy, float* dg, float* rrms, int rows, int c) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var from = start * ParameterColumns;
            var to = Math.Min(end * ParameterColumns, c);
            for (var r = 0; r < rows; r++)
            {
                var xr = x + (long)r * c;
                var dyr = dy + (long)r * c;
                var s = rrms[r];
                var vs = Vector256.Create(s);
                var i = from;
                for (; i + 8 <= to; i += 8)
                    (Vector256.Load(dg + i) + Vector256.Load(xr + i) * vs * Vector256.Load(dyr + i)).Store(dg + i);
                for (; i < to; i++)
                    dg[i] += xr[i] * s * dyr[i];
            }
        }
    }
}
