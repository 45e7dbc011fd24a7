using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// What every layer of one model shares at run time: the thread budget and three scratch buffers
/// used by backward passes to put operands into <c>Gemm</c>'s layout. Layers state their needs while
/// planning; the buffers are allocated once, at the largest size asked for.
/// </summary>
public sealed class Workspace
{
    private readonly long[] _required = new long[3];
    private readonly Tensor[] _scratch = new Tensor[3];

    /// <summary>Creates a workspace that runs kernels on <paramref name="parallelism"/>.</summary>
    public Workspace(Parallelism parallelism) => Parallelism = parallelism;

    /// <summary>The thread budget for kernels.</summary>
    public Parallelism Parallelism { get; }

    /// <summary>Records that scratch slot <paramref name="slot"/> must hold at least <paramref name="length"/> floats.</summary>
    public void Require(int slot, long length) => _required[slot] = Math.Max(_required[slot], length);

    /// <summary>Allocates the scratch buffers at their required sizes.</summary>
    public void Allocate(TensorArena arena)
    {
        for (var i = 0; i < _scratch.Length; i++)
            _scratch[i] = arena.Allocate(_required[i]);
    }

    /// <summary>Scratch slot <paramref name="slot"/> (0, 1 or 2); contents do not survive a layer call.</summary>
    public Tensor Scratch(int slot) => _scratch[slot];
}
