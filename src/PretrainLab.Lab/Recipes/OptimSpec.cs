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
    /// <summary>nanoGPT's small-model AdamW settings.</summary>
    public static OptimSpec Default { get; } =
        new(Lr: 1.0e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1.0e-8, WeightDecay: 0.1, GradClip: 1.0);
}
