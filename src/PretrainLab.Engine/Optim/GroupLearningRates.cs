using PretrainLab.Engine.Model;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// Peak learning rates per parameter group (embeddings, head, hidden matrices, scalars); the schedule
/// scales them all by the same factor, <c>schedule(step) / BaseLr</c>.
/// </summary>
public sealed record GroupLearningRates(double BaseLr, double EmbeddingLr, double HeadLr, double MatrixLr, double ScalarLr)
{
    /// <summary>Every group at <paramref name="lr"/>.</summary>
    public static GroupLearningRates Uniform(double lr) => new(lr, lr, lr, lr, lr);

    /// <summary>The learning rate of <paramref name="kind"/> when the schedule gives <paramref name="lr"/> for the base rate.</summary>
    public double For(ParameterKind kind, double lr)
    {
        var group = kind switch
        {
            ParameterKind.Embedding => EmbeddingLr,
            ParameterKind.Head => HeadLr,
            ParameterKind.Matrix => MatrixLr,
            _ => ScalarLr,
        };
        // Exact for the base group, so uniform rates reproduce a plain optimizer bit for bit.
        return group == BaseLr ? lr : lr / BaseLr * group;
    }
}
