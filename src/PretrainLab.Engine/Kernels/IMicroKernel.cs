namespace PretrainLab.Engine.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: one <see cref="Rows"/> x <see cref="Columns"/> tile of C from
/// packed micro-panels of A and B. Implemented by structs so that <see cref="Gemm"/>'s driver is
/// compiled once per kernel with the tile shape as constants.
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>MR: rows of C per tile, the width of a packed A micro-panel.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per tile, the width of a packed B micro-panel.</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Computes, for i &lt; Rows and j &lt; Columns,
    /// <c>c[i·ldc + j] = s + Σ_{p&lt;kc} a[p·Rows + i]·b[p·Columns + j]</c> as one fused multiply-add
    /// per p in increasing order, starting from <c>s = c[i·ldc + j]</c> when <paramref name="load"/> is
    /// set, else from <c>bias[j]</c> (0 when <paramref name="bias"/> is null).
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias);
}
