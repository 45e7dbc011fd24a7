using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Model;

/// <summary>
/// All trainable parameters of a model in two flat buffers (values and gradients), declared by layers
/// in a fixed order. Flat storage makes zeroing, norms and optimizer steps single loops.
/// </summary>
public sealed class ParameterSet
{
    private readonly List<Parameter> _parameters = [];
    private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);
    private int _length;
    private Tensor _data;
    private Tensor _grad;

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

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad() => _grad.Span.Clear();

    /// <summary>The global L2 norm of all gradients, accumulated in double in a fixed order.</summary>
    public double GradNorm()
    {
        var g = _grad.Span;
        double sum = 0;
        for (var i = 0; i < g.Length; i++)
            sum += (double)g[i] * g[i];
        return Math.Sqrt(sum);
    }

    /// <summary>Multiplies every gradient by <paramref name="factor"/>.</summary>
    public void ScaleGrad(float factor)
    {
        var g = _grad.Span;
        for (var i = 0; i < g.Length; i++)
            g[i] *= factor;
    }
}
