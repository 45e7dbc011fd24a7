namespace PretrainLab.Engine.Optim;

/// <summary>
/// One parameter group's own AdamW betas and weight decay (see <see cref="AdamWOptions"/>); a null field means the
/// shared value.
/// </summary>
/// <param name="Beta1">First-moment decay β₁ of the group, or null for the shared one.</param>
/// <param name="Beta2">Second-moment decay β₂ of the group, or null for the shared one.</param>
/// <param name="WeightDecay">
/// Decoupled weight decay λ of the group, or null for the shared one. A group's own decay reaches every parameter
/// of the group, 1-D ones included.
/// </param>
public sealed record AdamWGroupOptions(double? Beta1 = null, double? Beta2 = null, double? WeightDecay = null);
