using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Model;

/// <summary>
/// All trainable parameters of a model in two flat buffers (values and gradients), declared by layers
/// in a fixed order. Flat storage makes zeroing, norms and optimizer steps single loops.
/// </summary>
public sealed unsafe class ParameterSet
{
    /// <summary>
    /// Gradients per partial sum of <see cref="GradNorm"/>: a fixed cut, so the sum's rounding does not
    /// depend on how many threads share the chunks. 32 Ki floats (128 KiB) keep one thread's share of
    /// a small model large enough to be worth a hand-off.
    /// </summary>
    internal const int NormChunk = 1 << 15;

    private readonly Parallelism _parallelism;
    private readonly List<Parameter> _parameters = [];
    private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);
    private int _length;
    private Tensor _data;
    private Tensor _grad;
    private double[] _normPartials = [];

    /// <summary>A set whose gradient norm and scaling run on <paramref name="parallelism"/> (one thread by default).</summary>
    public ParameterSet(Parallelism? parallelism = null) => _parallelism = parallelism ?? Parallelism.Serial;

    /// <summary>The threads that the norm, the scaling and the optimizers' updates run on.</summary>
    public Parallelism Parallelism => _parallelism;

    /// <summary>Parameters in declaration order.</summary>
    public IReadOnlyList<Parameter> All => _parameters;

    /// <summary>Total number of scalar parameters.</summary>
    public int Count => _length;

    /// <summary>True once <see cref="Allocate"/> has run.</summary>
    public bool IsAllocated => _data.Length > 0;

    /// <summary>All values, in declaration order.</summary>
    public Tensor Data => _data;

    /// <summary>All gradients, in declaration order.</summary>
    public Tensor Grad => _grad;

    /// <summary>Declares a parameter; storage is assigned by <see cref="Allocate"/>.</summary>
    public Parameter Declare(string name, int[] shape, ParameterKind kind, ParameterInit init)
    {
        if (IsAllocated)
            throw new InvalidOperationException($"cannot declare '{name}' after the parameters were allocated");
        var p = new Parameter(name, shape, kind, init, _length);
        if (!_byName.TryAdd(name, p))
            throw new ArgumentException($"duplicate parameter name '{name}'", nameof(name));
        _parameters.Add(p);
        _length = checked(_length + p.Length);
        return p;
    }

    /// <summary>Looks a parameter up by its checkpoint name.</summary>
    public bool TryGet(string name, out Parameter parameter) => _byName.TryGetValue(name, out parameter!);

    /// <summary>Assigns every declared parameter its slice of two freshly allocated buffers.</summary>
    public void Allocate(TensorArena arena)
    {
        _data = arena.Allocate(_length);
        _grad = arena.Allocate(_length);
        _normPartials = new double[(_length + NormChunk - 1) / NormChunk];
        foreach (var p in _parameters)
        {
            p.Data = _data.Slice(p.Offset, p.Length);
            p.Grad = _grad.Slice(p.Offset, p.Length);
        }
    }

    /// <summary>
    /// Fills every parameter from its <see cref="ParameterInit"/>, drawing normals in declaration
    /// order from one stream seeded by <paramref name="seed"/>.
    /// </summary>
    public void Initialize(ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var p in _parameters)
        {
            var span = p.Data.Span;
            if (p.Init.Normal)
            {
                for (var i = 0; i < span.Length; i++)
                    span[i] = (float)(rng.NextNormal() * p.Init.Value);
            }
            else
            {
                span.Fill(p.Init.Value);
            }
        }
    }

    /// <summary>Sets every gradient to zero, in chunks of <see cref="NormChunk"/> spread over the threads.</summary>
    public void ZeroGrad() =>
        _parallelism.For(_normPartials.Length, new ClearChunks(_grad.Data, _length), minRowsPerChunk: 8);

    /// <summary>
    /// The global L2 norm of all gradients: <see cref="VectorMath.SumOfSquares(float*, int)"/> of each
    /// chunk of <see cref="NormChunk"/> gradients in double, the chunks' sums added in order, then the
    /// square root. Chunks are spread over the threads, and the result is the same for any thread count.
    /// </summary>
    public double GradNorm()
    {
        fixed (double* partials = _normPartials)
        {
            _parallelism.For(_normPartials.Length, new ChunkSquareSums(_grad.Data, _length, partials), minRowsPerChunk: 4);
            double sum = 0;
            for (var i = 0; i < _normPartials.Length; i++)
                sum += partials[i];
            return Math.Sqrt(sum);
        }
    }

    /// <summary>Multiplies every gradient by <paramref name="factor"/>.</summary>
    public void ScaleGrad(float factor) =>
        _parallelism.For(_normPartials.Length, new ScaleChunks(_grad.Data, _length, factor), minRowsPerChunk: 4);

    /// <summary>Writes the sum of squares of chunks [start, end) to their partial sums.</summary>
    private readonly struct ChunkSquareSums(float* g, int length, double* partials) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var c = start; c < end; c++)
            {
                var from = c * NormChunk;
                partials[c] = VectorMath.SumOfSquares(g + from, Math.Min(NormChunk, length - from));
            }
        }
    }

    private readonly struct ClearChunks(float* g, int length) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var from = (long)start * NormChunk;
            new Span<float>(g + from, (int)(Math.Min((long)end * NormChunk, length) - from)).Clear();
        }
    }

    private readonly struct ScaleChunks(float* g, int length, float factor) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var from = (long)start * NormChunk;
            VectorMath.Scale(g + from, factor, Math.Min((long)end * NormChunk, length) - from);
        }
    }
}
