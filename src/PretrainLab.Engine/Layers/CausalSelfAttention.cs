using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Causal multi-head self-attention. <c>c_attn</c> projects to queries (H heads), keys and values
/// (H_kv heads each; H_kv &lt; H is grouped-query attention, head h reading key/value head
/// <c>h / (H/H_kv)</c>); optionally each query and key head is RMS-normalised (QK-norm) and rotated
/// by RoPE; then per head <c>y = softmax(q·kᵀ/√d_head + causal mask)·v</c>, heads concatenated,
/// then <c>c_proj</c>. With the defaults (H_kv = H, no QK-norm, no RoPE) this is GPT-2's attention.
/// </summary>
/// <remarks>The attention probabilities [B, H, T, T] are kept for backward (rows
/// <see cref="ScoreStride"/> floats apart; masked probabilities are exact zeros). Each head's
/// products run on one thread as <see cref="DirectGemm"/> products that read the head's columns of
/// the q/k/v rows in place and skip the blocks above the causal diagonal.
/// Forward work is split over (batch, head); backward over (batch, key/value head), so the heads
/// that share a key/value head add their gradients in a fixed order and any thread count gives the
/// same bits.</remarks>
public sealed unsafe class CausalSelfAttention
{
    private const float QkNormEpsilon = 1e-6f;
    private readonly Workspace _workspace;
    private readonly int _width;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headSize;
    private readonly bool _qkNorm;
    private readonly bool _rope;
    private readonly double _ropeTheta;
    private Tensor _qkvRaw;
    private Tensor _qkv;
    private Tensor _rrms;
    private Tensor _cos;
    private Tensor _sin;
    private Tensor _att;
    private Tensor _y;
    private Tensor _dY;
    private Tensor _dQkv;

    /// <summary>Declares <c>{name}.c_attn</c> ([C + 2·H_kv·d_head, C]) and <c>{name}.c_proj</c> ([C, C]).</summary>
    public CausalSelfAttention(ParameterSet parameters, Workspace workspace, string name, GptConfig config,
        ParameterInit weightInit, ParameterInit projectionInit)
    {
        config.Validate();
        _workspace = workspace;
        _width = config.NEmbd;
        _heads = config.NHead;
        _kvHeads = config.KvHeads;
        _headSize = config.HeadSize;
        _qkNorm = config.QkNorm;
        _rope = config.Position == PositionKind.Rope;
        _ropeTheta = config.RopeTheta;
        QkvProjection = new Linear(parameters, workspace, $"{name}.c_attn", _width, RowWidth, config.Bias, weightInit);
        OutputProjection = new Linear(parameters, workspace, $"{name}.c_proj", _width, _width, config.Bias, projectionInit);
    }

    /// <summary>The fused query/key/value projection.</summary>
    public Linear QkvProjection { get; }

    /// <summary>The output projection, [C, C].</summary>
    public Linear OutputProjection { get; }

    /// <summary>Width of one row of q, k and v together: <c>C + 2·H_kv·d_head</c>.</summary>
    public int RowWidth => _width + 2 * _kvHeads * _headSize;

    private bool Transforms => _qkNorm || _rope;

    /// <summary>Allocates saved activations for batches of up to <paramref name="batch"/> sequences of <paramref name="context"/> tokens.</summary>
    public void Plan(TensorArena arena, Tensor sharedDY, Tensor sharedDQkv, int batch, int context)
    {
        var rows = batch * context;
        _qkvRaw = arena.Allocate((long)rows * RowWidth);
        _qkv = Transforms ? arena.Allocate((long)rows * RowWidth) : _qkvRaw;
        if (_qkNorm)
            _rrms = arena.Allocate((long)rows * (_heads + _kvHeads));
        if (_rope)
            PlanRope(arena, context);
        _att = arena.Allocate((long)batch * _heads * context * ScoreStride(context));
        _y = arena.Allocate((long)rows * _width);
        _dY = sharedDY;
        _dQkv = sharedDQkv;
    }

    /// <summary>Computes the attention block's output for <paramref name="batch"/> sequences of <paramref name="context"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int batch, int context)
    {
        var rows = batch * context;
        QkvProjection.Forward(input, _qkvRaw, rows);
        if (Transforms)
            _workspace.Parallelism.For(rows, new TransformRows(this, context, backward: false), minRowsPerChunk: 16);
        _workspace.Parallelism.For(batch * _heads, new ForwardHeads(this, context));
        OutputProjection.Forward(_y, output, rows);
    }

    /// <summary>Writes <c>dL/dinput</c> into <paramref name="dInput"/> and adds parameter gradients.</summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int batch, int context)
    {
        var rows = batch * context;
        OutputProjection.Backward(_y, dOutput, _dY, rows);
        _workspace.Parallelism.For(batch * _kvHeads, new BackwardHeads(this, context));
        if (Transforms)
            _workspace.Parallelism.For(rows, new TransformRows(this, context, backward: true), minRowsPerChunk: 16);
        QkvProjection.Backward(input, _dQkv, dInput, rows);
    }

    private void PlanRope(TensorArena arena, int context)
    {
        var half = _headSize / 2;
        _cos = arena.Allocate((long)context * half);
        _sin = arena.Allocate((long)context * half);
        for (var i = 0; i < half; i++)
        {
            // Frequencies and angles in float32, as the usual PyTorch implementation computes them.
            var invFreq = (float)(1.0 / Math.Pow(_ropeTheta, 2.0 * i / _headSize));
            for (var t = 0; t < context; t++)
            {
                var angle = t * invFreq;
                _cos.Data[t * half + i] = MathF.Cos(angle);
                _sin.Data[t * half + i] = MathF.Sin(angle);
            }
        }
    }

    /// <summary>
    /// QK-norm then RoPE on every query and key head of a row (forward, from the raw projection into
    /// the attention input), or their transposes on the gradient (backward, in place).
    /// </summary>
    private readonly struct TransformRows(CausalSelfAttention a, int context, bool backward) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var width = a.RowWidth;
            var hs = a._headSize;
            var qkHeads = a._heads + a._kvHeads;
            for (var r = start; r < end; r++)
            {
                var t = r % context;
                var raw = a._qkvRaw.Data + (long)r * width;
                if (!backward)
                {
                    var dst = a._qkv.Data + (long)r * width;
                    new ReadOnlySpan<float>(raw, width).CopyTo(new Span<float>(dst, width));
                    // Query heads then key heads are contiguous: [0, C) and [C, C + kv).
                    for (var h = 0; h < qkHeads; h++)
                    {
                        var x = dst + h * hs;
                        if (a._qkNorm)
                        {
                            var s = RmsNorm.InverseRms(x, hs, QkNormEpsilon);
                            a._rrms.Data[(long)r * qkHeads + h] = s;
                            VectorMath.Scale(x, s, hs);
                        }
                        if (a._rope)
                            Rotate(x, a._cos.Data + t * (hs / 2), a._sin.Data + t * (hs / 2), hs / 2, backward: false);
                    }
                }
                else
                {
                    var d = a._dQkv.Data + (long)r * width;
                    for (var h = 0; h < qkHeads; h++)
                    {
                        var dx = d + h * hs;
                        if (a._rope)
                            Rotate(dx, a._cos.Data + t * (hs / 2), a._sin.Data + t * (hs / 2), hs / 2, backward: true);
                        if (a._qkNorm)
                            RmsNormBackward(raw + h * hs, dx, a._rrms.Data[(long)r * qkHeads + h], hs);
                    }
                }
            }
        }

        // dL/dx = s·(g − x̂·mean(g·x̂)) with x̂ = s·x, in place on g: g ← (g − (x·s)·k)·s, k = s·(Σ g·x)/n.
        private static void RmsNormBackward(float* x, float* g, float s, int n)
        {
            var k = s * VectorMath.Dot(g, x, n) / n;
            var i = 0;
            if (VectorMath.Wide)
            {
                Vector512<float> vs = Vector512.Create(s), vk = Vector512.Create(k);
                for (; i + 16 <= n; i += 16)
                    ((Vector512.Load(g + i) - Vector512.Load(x + i) * vs * vk) * vs).Store(g + i);
            }
            Vector256<float> vs8 = Vector256.Create(s), vk8 = Vector256.Create(k);
            for (; i + 8 <= n; i += 8)
                ((Vector256.Load(g + i) - Vector256.Load(x + i) * vs8 * vk8) * vs8).Store(g + i);
            for (; i < n; i++)
                g[i] = (g[i] - x[i] * s * k) * s;
        }
    }

    /// <summary>
    /// Rotates the pairs <c>(x[i], x[i + half])</c>, i &lt; <paramref name="half"/>, by the angles whose
    /// cosines and sines are given: <c>x[i] ← x₁·cos − x₂·sin</c>, <c>x[i + half] ← x₂·cos + x₁·sin</c>,
    /// or by the opposite angles (the transpose) when <paramref name="backward"/> is set. Every lane
    /// performs these products and sums unfused, as the scalar tail does.
    /// </summary>
    internal static void Rotate(float* x, float* cos, float* sin, int half, bool backward)
    {
        var y = x + half;
        var i = 0;
        if (VectorMath.Wide)
        {
            for (; i + 16 <= half; i += 16)
            {
                Vector512<float> x1 = Vector512.Load(x + i), x2 = Vector512.Load(y + i), c = Vector512.Load(cos + i);
                var s = Vector512.Load(sin + i);
                if (backward)
                    s = -s;
                (x1 * c - x2 * s).Store(x + i);
                (x2 * c + x1 * s).Store(y + i);
            }
        }
        for (; i + 8 <= half; i += 8)
        {
            Vector256<float> x1 = Vector256.Load(x + i), x2 = Vector256.Load(y + i), c = Vector256.Load(cos + i);
            var s = Vector256.Load(sin + i);
            if (backward)
                s = -s;
            (x1 * c - x2 * s).Store(x + i);
            (x2 * c + x1 * s).Store(y + i);
        }
        for (; i < half; i++)
        {
            float x1 = x[i], x2 = y[i], c = cos[i], s = backward ? -sin[i] : sin[i];
            x[i] = x1 * c - x2 * s;
            y[i] = x2 * c + x1 * s;
        }
    }

    /// <summary>
    /// Floats between consecutive rows of the [T, T] score blocks: T rounded up to 16, so that the
    /// vector covering a row's last causal entry never leaves the row.
    /// </summary>
    internal static int ScoreStride(int t) => (t + 15) & ~15;

    /// <summary>
    /// One row of causal attention probabilities in place: with <c>z[j] = scale·row[j]</c> and
    /// <c>m = max_{j&lt;n} z[j]</c> (taken as scale times the largest score, which rounds to the same
    /// float), <c>row[j] = e^(z[j] − m)·(1/Σ_{i&lt;n} e^(z[i] − m))</c> for j &lt; n
    /// (<see cref="VectorMath.Exp(Vector512{float})"/>, the sum over lanes then across them) and
    /// exact zeros for j in [n, t). Lanes at or past n are masked, so the row must have room for
    /// <see cref="ScoreStride"/>(n) floats. The result depends only on the row's first n scores.
    /// </summary>
    internal static void CausalSoftmax(float* row, int n, int t, float scale)
    {
        int j;
        if (VectorMath.Wide)
        {
            var vmax = Vector512.Create(float.NegativeInfinity);
            for (j = 0; j < n; j += 16)
                vmax = Vector512.Max(vmax, Masked(Vector512.Load(row + j), j, n, float.NegativeInfinity));
            var m = Vector512.Create(scale * HorizontalMax(vmax));
            var sum = Vector512<float>.Zero;
            for (j = 0; j < n; j += 16)
            {
                // Masked lanes are −∞, whose exponential is 0.
                var e = VectorMath.Exp(Masked(Vector512.Load(row + j) * scale, j, n, float.NegativeInfinity) - m);
                e.Store(row + j);
                sum += e;
            }
            var inv = Vector512.Create(1f / Vector512.Sum(sum));
            for (j = 0; j < n; j += 16)
                (Vector512.Load(row + j) * inv).Store(row + j);
        }
        else
        {
            var vmax = Vector256.Create(float.NegativeInfinity);
            for (j = 0; j < n; j += 8)
                vmax = Vector256.Max(vmax, Masked(Vector256.Load(row + j), j, n, float.NegativeInfinity));
            var m = Vector256.Create(scale * HorizontalMax(vmax));
            var sum = Vector256<float>.Zero;
            for (j = 0; j < n; j += 8)
            {
                var e = VectorMath.Exp(Masked(Vector256.Load(row + j) * scale, j, n, float.NegativeInfinity) - m);
                e.Store(row + j);
                sum += e;
            }
            var inv = Vector256.Create(1f / Vector256.Sum(sum));
            for (j = 0; j < n; j += 8)
                (Vector256.Load(row + j) * inv).Store(row + j);
        }
        if (j < t)
            new Span<float>(row + j, t - j).Clear();
    }

    /// <summary>
    /// The softmax's backward on one row, in place on <paramref name="d"/> (dL/dP in, dL/dS out):
    /// <c>d[j] ← (p[j]·(d[j] − Σ_{i&lt;n} p[i]·d[i]))·scale</c> for j &lt; n, the sum over lanes then
    /// across them; exact zeros for j in [n, t). Lanes at or past n are masked, so both rows must
    /// have room for <see cref="ScoreStride"/>(n) floats.
    /// </summary>
    internal static void CausalSoftmaxBackward(float* p, float* d, int n, int t, float scale)
    {
        int j;
        if (VectorMath.Wide)
        {
            var acc = Vector512<float>.Zero;
            for (j = 0; j < n; j += 16)
                acc = Vector512.FusedMultiplyAdd(Masked(Vector512.Load(p + j), j, n, 0f), Masked(Vector512.Load(d + j), j, n, 0f), acc);
            var dot = Vector512.Create(Vector512.Sum(acc));
            for (j = 0; j < n; j += 16)
                Masked(Vector512.Load(p + j) * (Vector512.Load(d + j) - dot) * scale, j, n, 0f).Store(d + j);
        }
        else
        {
            var acc = Vector256<float>.Zero;
            for (j = 0; j < n; j += 8)
                acc = Vector256.FusedMultiplyAdd(Masked(Vector256.Load(p + j), j, n, 0f), Masked(Vector256.Load(d + j), j, n, 0f), acc);
            var dot = Vector256.Create(Vector256.Sum(acc));
            for (j = 0; j < n; j += 8)
                Masked(Vector256.Load(p + j) * (Vector256.Load(d + j) - dot) * scale, j, n, 0f).Store(d + j);
        }
        if (j < t)
            new Span<float>(d + j, t - j).Clear();
    }

    /// <summary>The lanes of <paramref name="v"/> (elements j, j + 1, …) below <paramref name="n"/>, <paramref name="fill"/> in the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Masked(Vector512<float> v, int j, int n, float fill) =>
        j + 16 <= n ? v : Vector512.ConditionalSelect(
            Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n - j)).AsSingle(), v, Vector512.Create(fill));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Masked(Vector256<float> v, int j, int n, float fill) =>
        j + 8 <= n ? v : Vector256.ConditionalSelect(
            Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(n - j)).AsSingle(), v, Vector256.Create(fill));

    private static float HorizontalMax(Vector512<float> v) =>
        HorizontalMax(Vector256.Max(v.GetLower(), v.GetUpper()));

    private static float HorizontalMax(Vector256<float> v)
    {
        var m = Vector128.Max(v.GetLower(), v.GetUpper());
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    /// <summary>Per-thread scratch for the score gradients of one head ([T, T] at <see cref="ScoreStride"/>), grown once, so steps do not allocate.</summary>
    private static class ScoreScratch
    {
        [ThreadStatic]
        private static float[]? t_buffer;

        public static float[] Get(int t)
        {
            var need = t * ScoreStride(t);
            if (t_buffer is null || t_buffer.Length < need)
                t_buffer = GC.AllocateUninitializedArray<float>(need, pinned: true);
            return t_buffer;
        }
    }

    /// <summary>
    /// Per (batch, head): <c>S = Q·Kᵀ</c> (on and below the diagonal), the causal softmax <c>P</c> of
    /// <c>S/√d</c> row by row, and <c>Y = P·V</c>, reading the head's columns of the q/k/v rows in place
    /// and writing its columns of Y.
    /// </summary>
    private readonly struct ForwardHeads(CausalSelfAttention a, int t) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            int c = a._width, hs = a._headSize, heads = a._heads, width = a.RowWidth, group = a._heads / a._kvHeads;
            var kvWidth = a._kvHeads * hs;
            var scale = 1f / MathF.Sqrt(hs);
            var ld = ScoreStride(t);
            for (var bh = start; bh < end; bh++)
            {
                int b = bh / heads, h = bh % heads, kh = h / group;
                var rows = a._qkv.Data + (long)b * t * width;
                var att = a._att.Data + (long)bh * t * ld;
                DirectGemm.Multiply(rows + h * hs, width, false, rows + c + kh * hs, width, true, att, ld, t, t, hs,
                    accumulate: false, Triangle.Output);
                for (var i = 0; i < t; i++)
                    CausalSoftmax(att + (long)i * ld, i + 1, t, scale);
                DirectGemm.Multiply(att, ld, false, rows + c + kvWidth + kh * hs, width, false, a._y.Data + (long)b * t * c + h * hs, c,
                    t, hs, t, accumulate: false, Triangle.LowerA);
            }
        }
    }

    /// <summary>
    /// Per (batch, key/value head), over the heads that share it in order: <c>dP = dY·Vᵀ</c>,
    /// <c>dV += Pᵀ·dY</c>, <c>dS = P⊙(dP − rowsum(P⊙dP))/√d</c>, <c>dQ = dS·K</c>, <c>dK += dSᵀ·Q</c>,
    /// reading and writing the heads' columns of the q/k/v rows and their gradients in place (the
    /// group's first head writes dK and dV, the others add to them).
    /// </summary>
    private readonly struct BackwardHeads(CausalSelfAttention a, int t) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            int c = a._width, hs = a._headSize, width = a.RowWidth, kvHeads = a._kvHeads, group = a._heads / a._kvHeads;
            var kvWidth = kvHeads * hs;
            var scale = 1f / MathF.Sqrt(hs);
            var ld = ScoreStride(t);
            fixed (float* ds = ScoreScratch.Get(t))
            {
                for (var bkv = start; bkv < end; bkv++)
                {
                    int b = bkv / kvHeads, kh = bkv % kvHeads;
                    var rows = a._qkv.Data + (long)b * t * width;
                    var dRows = a._dQkv.Data + (long)b * t * width;
                    float* k = rows + c + kh * hs, v = rows + c + kvWidth + kh * hs;
                    float* dk = dRows + c + kh * hs, dv = dRows + c + kvWidth + kh * hs;
                    for (var h = kh * group; h < (kh + 1) * group; h++)
                    {
                        var accumulate = h > kh * group;
                        var att = a._att.Data + (long)(b * a._heads + h) * t * ld;
                        var dy = a._dY.Data + (long)b * t * c + h * hs;
                        DirectGemm.Multiply(dy, c, false, v, width, true, ds, ld, t, t, hs, accumulate: false, Triangle.Output);
                        DirectGemm.Multiply(att, ld, true, dy, c, false, dv, width, t, hs, t, accumulate, Triangle.UpperA);
                        for (var i = 0; i < t; i++)
                            CausalSoftmaxBackward(att + (long)i * ld, ds + (long)i * ld, i + 1, t, scale);
                        DirectGemm.Multiply(ds, ld, false, k, width, false, dRows + h * hs, width, t, hs, t, accumulate: false, Triangle.LowerA);
                        DirectGemm.Multiply(ds, ld, true, rows + h * hs, width, false, dk, width, t, hs, t, accumulate, Triangle.UpperA);
                    }
                }
            }
        }
    }
}
