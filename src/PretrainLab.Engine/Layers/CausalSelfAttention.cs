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
/// <remarks>The attention probabilities [B, H, T, T] are kept for backward. Each head's products
/// run as single-threaded GEMMs on gathered [T, d_head] blocks (the full T×T square; masked
/// probabilities are exact zeros). Forward work is split over (batch, head); backward over (batch,
/// key/value head), so the heads that share a key/value head add their gradients in a fixed order
/// and any thread count gives the same bits.</remarks>
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
        _att = arena.Allocate((long)batch * _heads * context * context);
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
                            a._rrms.Data[(long)r * qkHeads + h] = RmsNormalize(x, hs);
                        if (a._rope)
                            Rotate(x, a._cos.Data + t * (hs / 2), a._sin.Data + t * (hs / 2), hs, 1f);
                    }
                }
                else
                {
                    var d = a._dQkv.Data + (long)r * width;
                    for (var h = 0; h < qkHeads; h++)
                    {
                        var dx = d + h * hs;
                        if (a._rope)
                            Rotate(dx, a._cos.Data + t * (hs / 2), a._sin.Data + t * (hs / 2), hs, -1f);
                        if (a._qkNorm)
                            RmsNormBackward(raw + h * hs, dx, a._rrms.Data[(long)r * qkHeads + h], hs);
                    }
                }
            }
        }

        private static float RmsNormalize(float* x, int n)
        {
            var ms = 0f;
            for (var i = 0; i < n; i++)
                ms += x[i] * x[i];
            var s = 1f / MathF.Sqrt(ms / n + QkNormEpsilon);
            for (var i = 0; i < n; i++)
                x[i] *= s;
            return s;
        }

        // dL/dx = s·(g − x̂·mean(g·x̂)) with x̂ = s·x, in place on g.
        private static void RmsNormBackward(float* x, float* g, float s, int n)
        {
            var gx = 0f;
            for (var i = 0; i < n; i++)
                gx += g[i] * x[i] * s;
            gx /= n;
            for (var i = 0; i < n; i++)
                g[i] = (g[i] - x[i] * s * gx) * s;
        }

        // Rotates pairs (i, i + n/2) by the position's angles; sign −1 applies the transpose (inverse).
        private static void Rotate(float* x, float* cos, float* sin, int n, float sign)
        {
            var half = n / 2;
            for (var i = 0; i < half; i++)
            {
                float x1 = x[i], x2 = x[i + half], c = cos[i], s = sign * sin[i];
                x[i] = x1 * c - x2 * s;
                x[i + half] = x2 * c + x1 * s;
            }
        }
    }

    /// <summary>
    /// Per-thread scratch for one head: Q, K, V, dY, dQ, dK, dV as contiguous [T, d_head] blocks and
    /// two [T, T] score blocks. Grown once per thread, so steps do not allocate.
    /// </summary>
    private static class HeadScratch
    {
        [ThreadStatic]
        private static float[]? t_buffer;

        public static float[] Get(int t, int hs)
        {
            var need = 7 * t * hs + 2 * t * t;
            if (t_buffer is null || t_buffer.Length < need)
                t_buffer = GC.AllocateUninitializedArray<float>(need, pinned: true);
            return t_buffer;
        }
    }

    // Copies head columns [offset, offset + hs) of T rows of stride `stride` into a contiguous [T, hs] block.
    private static void Gather(float* src, int stride, int offset, float* dst, int t, int hs)
    {
        for (var i = 0; i < t; i++)
            new ReadOnlySpan<float>(src + (long)i * stride + offset, hs).CopyTo(new Span<float>(dst + i * hs, hs));
    }

    private static void Scatter(float* src, float* dst, int stride, int offset, int t, int hs)
    {
        for (var i = 0; i < t; i++)
            new ReadOnlySpan<float>(src + i * hs, hs).CopyTo(new Span<float>(dst + (long)i * stride + offset, hs));
    }

    /// <summary>
    /// Per (batch, head): <c>S = Q·Kᵀ/√d</c> and <c>Y = P·V</c> as GEMMs on gathered head blocks, with
    /// the causal softmax <c>P</c> row by row in between (masked entries are exact zeros).
    /// </summary>
    private readonly struct ForwardHeads(CausalSelfAttention a, int t) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            int c = a._width, hs = a._headSize, heads = a._heads, width = a.RowWidth, group = a._heads / a._kvHeads;
            var kvWidth = a._kvHeads * hs;
            var scale = 1f / MathF.Sqrt(hs);
            var scratch = HeadScratch.Get(t, hs);
            fixed (float* buffer = scratch)
            {
                float* q = buffer, k = q + t * hs, v = k + t * hs, y = v + t * hs;
                for (var bh = start; bh < end; bh++)
                {
                    int b = bh / heads, h = bh % heads, kh = h / group;
                    var rows = a._qkv.Data + (long)b * t * width;
                    Gather(rows, width, h * hs, q, t, hs);
                    Gather(rows, width, c + kh * hs, k, t, hs);
                    Gather(rows, width, c + kvWidth + kh * hs, v, t, hs);
                    var att = a._att.Data + (long)bh * t * t;
                    Gemm.MultiplyTransposed(Parallelism.Serial, q, k, att, t, t, hs, null, accumulate: false);
                    for (var i = 0; i < t; i++)
                        CausalSoftmax(att + (long)i * t, i, t, scale);
                    Gemm.Multiply(Parallelism.Serial, att, false, v, false, y, t, hs, t, null, accumulate: false);
                    Scatter(y, a._y.Data + (long)b * t * c, c, h * hs, t, hs);
                }
            }
        }

        // Row i keeps scores j ≤ i: softmax of scale·s over them, exact zeros after.
        private static void CausalSoftmax(float* row, int i, int t, float scale)
        {
            var max = float.NegativeInfinity;
            for (var j = 0; j <= i; j++)
            {
                row[j] *= scale;
                max = MathF.Max(max, row[j]);
            }
            var sum = 0f;
            for (var j = 0; j <= i; j++)
            {
                var e = MathF.Exp(row[j] - max);
                row[j] = e;
                sum += e;
            }
            var inv = 1f / sum;
            for (var j = 0; j <= i; j++)
                row[j] *= inv;
            new Span<float>(row + i + 1, t - i - 1).Clear();
        }
    }

    /// <summary>
    /// Per (batch, key/value head), over the heads that share it in order: <c>dP = dY·Vᵀ</c>,
    /// <c>dV += Pᵀ·dY</c>, <c>dS = P⊙(dP − rowsum(P⊙dP))/√d</c>, <c>dQ = dS·K</c>, <c>dK += dSᵀ·Q</c>.
    /// </summary>
    private readonly struct BackwardHeads(CausalSelfAttention a, int t) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            int c = a._width, hs = a._headSize, width = a.RowWidth, kvHeads = a._kvHeads, group = a._heads / a._kvHeads;
            var kvWidth = kvHeads * hs;
            var scale = 1f / MathF.Sqrt(hs);
            var scratch = HeadScratch.Get(t, hs);
            fixed (float* buffer = scratch)
            {
                float* q = buffer, k = q + t * hs, v = k + t * hs, dy = v + t * hs, dq = dy + t * hs, dk = dq + t * hs, dv = dk + t * hs;
                var ds = dv + t * hs;
                for (var bkv = start; bkv < end; bkv++)
                {
                    int b = bkv / kvHeads, kh = bkv % kvHeads;
                    var rows = a._qkv.Data + (long)b * t * width;
                    var dRows = a._dQkv.Data + (long)b * t * width;
                    Gather(rows, width, c + kh * hs, k, t, hs);
                    Gather(rows, width, c + kvWidth + kh * hs, v, t, hs);
                    new Span<float>(dk, t * hs).Clear();
                    new Span<float>(dv, t * hs).Clear();
                    for (var h = kh * group; h < (kh + 1) * group; h++)
                    {
                        var att = a._att.Data + (long)(b * a._heads + h) * t * t;
                        Gather(rows, width, h * hs, q, t, hs);
                        Gather(a._dY.Data + (long)b * t * c, c, h * hs, dy, t, hs);
                        Gemm.MultiplyTransposed(Parallelism.Serial, dy, v, ds, t, t, hs, null, accumulate: false);
                        Gemm.Multiply(Parallelism.Serial, att, true, dy, false, dv, t, hs, t, null, accumulate: true);
                        for (var i = 0; i < t; i++)
                        {
                            float* p = att + (long)i * t, d = ds + (long)i * t;
                            var dot = 0f;
                            for (var j = 0; j <= i; j++)
                                dot += p[j] * d[j];
                            for (var j = 0; j <= i; j++)
                                d[j] = p[j] * (d[j] - dot) * scale;
                            new Span<float>(d + i + 1, t - i - 1).Clear();
                        }
                        Gemm.Multiply(Parallelism.Serial, ds, false, k, false, dq, t, hs, t, null, accumulate: false);
                        Gemm.Multiply(Parallelism.Serial, ds, true, q, false, dk, t, hs, t, null, accumulate: true);
                        Scatter(dq, dRows, width, h * hs, t, hs);
                    }
                    Scatter(dk, dRows, width, c + kh * hs, t, hs);
                    Scatter(dv, dRows, width, c + kvWidth + kh * hs, t, hs);
                }
            }
        }
    }
}
