namespace PretrainLab.Engine.Kernels;

/// <summary>
/// The portable micro-kernel for CPUs without 256-bit vectors: a 4 x 4 tile with scalar fused
/// multiply-adds, so it rounds exactly as the vector kernels do.
/// </summary>
internal readonly unsafe struct ScalarMicroKernel : IMicroKernel
{
    /// <inheritdoc/>
    public static int Rows => 4;

    /// <inheritdoc/>
    public static int Columns => 4;

    /// <inheritdoc/>
    public static void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias)
    {
        var acc = stackalloc float[16];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
                acc[i * 4 + j] = load ? c[i * ldc + j] : bias is null ? 0f : bias[j];
        }

        for (var p = 0; p < kc; p++)
        {
            for (var i = 0; i < 4; i++)
            {
                for (var j = 0; j < 4; j++)
                    acc[i * 4 + j] = MathF.FusedMultiplyAdd(a[i], b[j], acc[i * 4 + j]);
            }
            a += 4;
            b += 4;
        }

        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
                c[i * ldc + j] = acc[i * 4 + j];
        }
    }
}
