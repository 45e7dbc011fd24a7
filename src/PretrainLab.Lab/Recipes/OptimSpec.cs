using PretrainLab.Engine.Optim;

namespace PretrainLab.Lab.Recipes;

/// <summary>The AdamW optimizer settings of a run (recipe section <c>optim</c>).</summary>
/// <param name="Lr">Peak learning rate (<c>lr</c>), greater than 0.</param>
/// <param name="Beta1">First-moment decay (<c>beta1</c>), in [0, 1).</param>
/// <param name="Beta2">Second-moment decay (<c>beta2</c>), in [0, 1).</param>
/// <param name="Eps">Denominator epsilon (<c>eps</c>), greater than 0.</param>
/// <param name="WeightDecay">Decoupled weight decay (<c>weight_decay</c>), at least 0.</param>
/// <param name="GradClip">Global gradient-norm clip (<c>grad_clip</c>), at least 0; 0 disables clipping.</param>
public sealed record OptimSpec(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, double GradClip)
{
    /// <summary>The optimizer (<c>kind</c>): <c>adamw</c>, or <c>muon</c> (Muon for hidden matrices, AdamW for the rest).</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.AdamW;

    /// <summary>Peak rate of the token and position embeddings (<c>embedding_lr</c>); null = <see cref="Lr"/>.</summary>
    public double? EmbeddingLr { get; init; }

    /// <summary>Peak rate of an untied head (<c>head_lr</c>); null = <see cref="Lr"/>.</summary>
    public double? HeadLr { get; init; }

    /// <summary>Peak rate of the hidden matrices (<c>matrix_lr</c>); null = <see cref="Lr"/> for AdamW, 0.02 for Muon.</summary>
    public double? MatrixLr { get; init; }

    /// <summary>Peak rate of biases and norm gains (<c>scalar_lr</c>); null = <see cref="Lr"/>.</summary>
    public double? ScalarLr { get; init; }

    /// <summary>Muon's momentum β (<c>muon_momentum</c>).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Muon's Newton-Schulz iterations (<c>ns_steps</c>).</summary>
    public int NsSteps { get; init; } = 5;

    /// <summary>nanoGPT's small-model AdamW settings.</summary>
    public static OptimSpec Default { get; } =
        new(Lr: 1.0e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1.0e-8, WeightDecay: 0.1, GradClip: 1.0);
}
