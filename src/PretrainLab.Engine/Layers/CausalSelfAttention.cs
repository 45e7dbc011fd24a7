using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Causal multi-head self-attention as in GPT-2: <c>qkv = x·W_attnᵀ + b</c> (queries, keys, values
/// concatenated along the output, nanoGPT's <c>c_attn</c>), per head
/// <c>y = softmax(q·kᵀ/√d_head + causal mask)·v</c>, heads concatenated, then <c>c_proj</c>.
/// </summary>
/// <remarks>The attention probabilities [B, H, T, T] are kept for backward; work is split over
/// (batch, head) pairs, which write disjoint slices, so any thread count gives the same bits.</remarks>
public sealed unsafe class CausalSelfAttention
{
    private readonly Workspace _workspace;
    private readonly int _width;
    private readonly int _heads;
    private Tensor _qkv;
    private Tensor _att;
    private Tensor _y;
    private Tensor _dY;
    private Tensor _dQkv;

    /// <summary>Declares <c>{name}.c_attn</c> and <c>{name}.c_proj</c>.</summary>
    public CausalSelfAttention(ParameterSet parameters, Workspace workspace, string name, int width, int heads,
        ParameterInit weightInit, ParameterInit projectionInit, bool bias = true)
    {
        if (width % heads != 0)
            throw new ArgumentException($"width {width} is not divisible by {heads} heads", nameof(heads));
        _workspace = workspace;
        _width = width;
        _heads = heads;
        QkvProjection = new Linear(parameters, workspace, $"{name}.c_attn", width, 3 * width, bias, weightInit);
        OutputProjection = new Linear(parameters, workspace, $"{name}.c_proj", width, width, bias, projectionInit);
    }

    /// <summary>The fused query/key/value projection, [3C, C].</summary>
    public Linear QkvProjection { get; }

    /// <summary>The output projection, [C, C].</summary>
    public Linear OutputProjection { get; }

    /// <summary>Allocates saved activations for batches of up to <paramref name="batch"/> sequences of <paramref name="context"/> tokens.</summary>
    public void Plan(TensorArena arena, Tensor sharedDY, Tensor sharedDQkv, int batch, int context)
    {
        var rows = batch * context;
        _qkv = arena.Allocate((long)rows * 3 * _width);
        _att = arena.Allocate((long)batch * _heads * context * context);
        _y = arena.Allocate((long)rows * _width);
        _dY = sharedDY;
        _dQkv = sharedDQkv;
        QkvProjection.Plan(rows);
        OutputProjection.Plan(rows);
    }

    /// <summary>Computes the attention block's output for <paramref name="batch"/> sequences of <paramref name="context"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int batch, int context)
    {
        var rows = batch * context;
        QkvProjection.Forward(input, _qkv, rows);
        _workspace.Parallelism.For(batch * _heads, new ForwardHeads(_qkv.Data, _att.Data, _y.Data, _width, _heads, context));
        OutputProjection.Forward(_y, output, rows);
    }

    /// <summary>Writes <c>dL/dinput</c> into <paramref name="dInput"/> and adds parameter gradients.</summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int batch, int context)
    {
        var rows = batch * context;
        OutputProjection.Backward(_y, dOutput, _dY, rows);
        _workspace.Parallelism.For(batch * _heads,
            new BackwardHeads(_qkv.Data, _att.Data, _dY.Data, _dQkv.Data, _width, _heads, context));
        QkvProjection.Backward(input, _dQkv, dInput, rows);
    }

    private readonly struct ForwardHeads(float* qkv, float* att, float* y, int c, int heads, int t) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var hs = c / heads;
            var scale = 1f / MathF.Sqrt(hs);
            for (var bh = start; bh < end; bh++)
            {
                int b = bh / heads, h = bh % heads;
                var baseRow = qkv + (long)b * t * 3 * c;
                for (var i = 0; i < t; i++)
                {
                    var q = baseRow + (long)i * 3 * c + h * hs;
                    var a = att + ((long)bh * t + i) * t;
                    var max = float.NegativeInfinity;
                    for (var j = 0; j <= i; j++)
                    {
                        var s = VectorMath.Dot(q, baseRow + (long)j * 3 * c + c + h * hs, hs) * scale;
                        a[j] = s;
                        if (s > max)
                            max = s;
                    }
                    var sum = 0f;
                    for (var j = 0; j <= i; j++)
                    {
                        var e = MathF.Exp(a[j] - max);
                        a[j] = e;
                        sum += e;
                    }
                    var inv = 1f / sum;
                    for (var j = 0; j <= i; j++)
                        a[j] *= inv;
                    for (var j = i + 1; j < t; j++)
                        a[j] = 0f;

                    var yi = y + ((long)b * t + i) * c + h * hs;
                    new Span<float>(yi, hs).Clear();
                    for (var j = 0; j <= i; j++)
                        VectorMath.Axpy(a[j], baseRow + (long)j * 3 * c + 2 * c + h * hs, yi, hs);
                }
            }
        }
    }

    private readonly struct BackwardHeads(float* qkv, float* att, float* dy, float* dqkv, int c, int heads, int t)
        : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var hs = c / heads;
            var scale = 1f / MathF.Sqrt(hs);
            var dAtt = t <= 4096 ? stackalloc float[t] : new float[t];
            fixed (float* da = dAtt)
            {
                for (var bh = start; bh < end; bh++)
                {
                    int b = bh / heads, h = bh % heads;
                    var baseRow = qkv + (long)b * t * 3 * c;
                    var dBase = dqkv + (long)b * t * 3 * c;
                    for (var i = 0; i < t; i++)
                    {
                        var row = dBase + (long)i * 3 * c + h * hs;
                        new Span<float>(row, hs).Clear();
                        new Span<float>(row + c, hs).Clear();
                        new Span<float>(row + 2 * c, hs).Clear();
                    }

                    for (var i = 0; i < t; i++)
                    {
                        var a = att + ((long)bh * t + i) * t;
                        var dyi = dy + ((long)b * t + i) * c + h * hs;
                        // dL/da_ij = dy_i·v_j, and dv_j += a_ij·dy_i.
                        var dot = 0f;
                        for (var j = 0; j <= i; j++)
                        {
                            var v = baseRow + (long)j * 3 * c + 2 * c + h * hs;
                            da[j] = VectorMath.Dot(dyi, v, hs);
                            dot += a[j] * da[j];
                            VectorMath.Axpy(a[j], dyi, dBase + (long)j * 3 * c + 2 * c + h * hs, hs);
                        }
                        // Softmax backward: ds_ij = a_ij·(da_ij − Σ_k a_ik·da_ik); then s = q·k·scale.
                        var q = baseRow + (long)i * 3 * c + h * hs;
                        var dq = dBase + (long)i * 3 * c + h * hs;
                        for (var j = 0; j <= i; j++)
                        {
                            var ds = a[j] * (da[j] - dot) * scale;
                            VectorMath.Axpy(ds, baseRow + (long)j * 3 * c + c + h * hs, dq, hs);
                            VectorMath.Axpy(ds, q, dBase + (long)j * 3 * c + c + h * hs, hs);
                        }
                    }
                }
            }
        }
    }
}
