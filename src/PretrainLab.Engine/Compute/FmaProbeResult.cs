namespace PretrainLab.Engine.Compute;

/// <summary>The fp32 FMA ceiling measured by <see cref="FmaProbe"/>.</summary>
/// <param name="VectorBits">The vector width that gave the best rate (256 or 512).</param>
/// <param name="Threads">Threads that ran the probe in parallel.</param>
/// <param name="Gflops">Total GFLOP/s of all threads, 2 FLOPs per lane per FMA.</param>
public sealed record FmaProbeResult(int VectorBits, int Threads, double Gflops);
