using PretrainLab.Engine.Compute;

namespace PretrainLab.Engine.Layers;

/// <summary>What every layer of one model shares at run time: the thread budget its kernels use.</summary>
public sealed class Workspace
{
    /// <summary>Creates a workspace that runs kernels on <paramref name="parallelism"/>.</summary>
    public Workspace(Parallelism parallelism) => Parallelism = parallelism;

    /// <summary>The thread budget for kernels.</summary>
    public Parallelism Parallelism { get; }
}
