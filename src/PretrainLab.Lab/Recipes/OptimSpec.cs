using PretrainLab.Engine.Optim;

namespace PretrainLab.Lab.Recipes;

/// <summary>
/// The optimizer settings of a run (recipe section <c>optim</c>). The learning rate, betas and weight decay are
/// shared by the four parameter groups (embeddings, head, hidden matrices, scalars) unless a group sets its own.
/// </summary>
/// <param name="Lr">Peak learning rate (<c>lr</c>), greater than 0.</param>
/// <param name="Beta1">First-moment decay (<c>beta1</c>), in [0, 1).</param>
/// <param name="Beta2">Second-moment decay (<c>beta2</c>), in [0, 1).</param>
/// <param name="Eps">Denominator epsilon (<c>eps</c>), greater than 0.</param>
/// <param name="WeightDecay">Decoupled weight decay (<c>weight_decay</c>) of 2-D AdamW weights, at least 0.</param>
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

    /// <summary>β₁ of the token and position embeddings (<c>embedding_beta1</c>); null = <see cref="Beta1"/>.</summary>
    public double? EmbeddingBeta1 { get; init; }

    /// <summary>β₂ of the token and position embeddings (<c>embedding_beta2</c>); null = <see cref="Beta2"/>.</summary>
    public double? EmbeddingBeta2 { get; init; }

    /// <summary>Decoupled weight decay of the token and position embeddings (<c>embedding_weight_decay</c>); null = <see cref="WeightDecay"/>.</summary>
    public double? EmbeddingWeightDecay { get; init; }

    /// <summary>β₁ of an untied head (<c>head_beta1</c>); null = <see cref="Beta1"/>.</summary>
    public double? HeadBeta1 { get; init; }

    /// <summary>β₂ of an untied head (<c>head_beta2</c>); null = <see cref="Beta2"/>.</summary>
    public double? HeadBeta2 { get; init; }

    /// <summary>Decoupled weight decay of an untied head (<c>head_weight_decay</c>); null = <see cref="WeightDecay"/>.</summary>
    public double? HeadWeightDecay { get; init; }

    /// <summary>β₁ of the hidden matrices (<c>matrix_beta1</c>); null = <see cref="Beta1"/>; AdamW only (Muon's matrices use <see cref="MuonMomentum"/>).</summary>
    public double? MatrixBeta1 { get; init; }

    /// <summary>β₂ of the hidden matrices (<c>matrix_beta2</c>); null = <see cref="Beta2"/>; AdamW only (Muon's matrices use <see cref="MuonMomentum"/>).</summary>
    public double? MatrixBeta2 { get; init; }

    /// <summary>
    /// Decoupled weight decay of the hidden matrices (<c>matrix_weight_decay</c>); null = <see cref="WeightDecay"/>
    /// for AdamW, 0 for Muon, whose matrices it decays as <c>W ← W·(1 − lr·λ)</c> with the matrix rate.
    /// </summary>
    public double? MatrixWeightDecay { get; init; }

    /// <summary>β₁ of biases and norm gains (<c>scalar_beta1</c>); null = <see cref="Beta1"/>.</summary>
    public double? ScalarBeta1 { get; init; }

    /// <summary>β₂ of biases and norm gains (<c>scalar_beta2</c>); null = <see cref="Beta2"/>.</summary>
    public double? ScalarBeta2 { get; init; }

    /// <summary>
    /// Decoupled weight decay of biases and norm gains (<c>scalar_weight_decay</c>); null = none, since the shared
    /// <see cref="WeightDecay"/> reaches 2-D weights only.
    /// </summary>
    public double? ScalarWeightDecay { get; init; }

    /// <summary>Muon's momentum β (<c>muon_momentum</c>).</summary>
    public double MuonMomentum { get; init; } = 0.95;

    /// <summary>Muon's Newton-Schulz iterations (<c>ns_steps</c>).</summary>
    public int NsSteps { get; init; } = 5;

    /// <summary>nanoGPT's small-model AdamW settings.</summary>
    public static OptimSpec Default { get; } =
        new(Lr: 1.0e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1.0e-8, WeightDecay: 0.1, GradClip: 1.0);
}
