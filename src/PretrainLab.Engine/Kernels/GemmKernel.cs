namespace PretrainLab.Engine.Kernels;

/// <summary>The micro-kernels <see cref="Gemm"/> can run; all give the same bits, at different speeds.</summary>
internal enum GemmKernel
{
    /// <summary><see cref="ScalarMicroKernel"/>, 4 x 4.</summary>
    Scalar,

    /// <summary><see cref="MicroKernel256"/>, 6 x 16.</summary>
    Vector256,

    /// <summary><see cref="MicroKernel512"/>, 12 x 32.</summary>
    Vector512,
}
