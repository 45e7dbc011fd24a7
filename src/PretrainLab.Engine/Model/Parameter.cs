using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Model;

/// <summary>
/// A named trainable tensor (checkpoint name, shape, optimizer kind) and its gradient, both views into
/// the flat buffers of a <see cref="ParameterSet"/>.
/// </summary>
public sealed class Parameter
{
    internal Parameter(string name, int[] shape, ParameterKind kind, ParameterInit init, int offset)
    {
        Name = name;
        Shape = shape;
        Kind = kind;
        Init = init;
        Offset = offset;
        long length = 1;
        foreach (var d in shape)
            length *= d;
        Length = checked((int)length);
    }

    /// <summary>The checkpoint name, in nanoGPT's convention (for example <c>transformer.h.0.attn.c_attn.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The shape; linear weights are [out, in].</summary>
    public int[] Shape { get; }

    /// <summary>What the parameter is for.</summary>
    public ParameterKind Kind { get; }

    /// <summary>How it is initialised.</summary>
    public ParameterInit Init { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Offset of the first element in the set's flat buffers.</summary>
    public int Offset { get; }

    /// <summary>The values (valid once the set is allocated).</summary>
    public Tensor Data { get; internal set; }

    /// <summary>The gradient, accumulated by backward passes (valid once the set is allocated).</summary>
    public Tensor Grad { get; internal set; }

    /// <summary>True for 2-D parameters, which receive weight decay.</summary>
    public bool IsMatrix => Shape.Length == 2;
}
