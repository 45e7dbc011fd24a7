using PretrainLab.Engine.Model;

namespace PretrainLab.Engine.Optim;

/// <summary>
/// AdamW hyperparameters (Loshchilov and Hutter), shared by every parameter group unless the group sets its own
/// (<see cref="Embedding"/>, <see cref="Head"/>, <see cref="Matrix"/>, <see cref="Scalar"/>). Decay is decoupled;
/// the shared decay applies to 2-D weights only (nanoGPT's rule), so biases and norm gains are decayed only when
/// <see cref="Scalar"/> sets a decay of its own.
/// </summary>
/// <param name="Beta1">Shared first-moment decay β₁.</param>
/// <param name="Beta2">Shared second-moment decay β₂.</param>
/// <param name="Epsilon">Denominator ε, for every group.</param>
/// <param name="WeightDecay">Shared decoupled weight decay λ, for 2-D weights.</param>
public sealed record AdamWOptions(double Beta1 = 0.9, double Beta2 = 0.95, double Epsilon = 1e-8, double WeightDecay = 0.1)
{
    /// <summary>Own settings of the token and position embeddings (<see cref="ParameterKind.Embedding"/>); null = shared.</summary>
    public AdamWGroupOptions? Embedding { get; init; }

    /// <summary>Own settings of an untied output head (<see cref="ParameterKind.Head"/>); null = shared.</summary>
    public AdamWGroupOptions? Head { get; init; }

    /// <summary>Own settings of the hidden matrices (<see cref="ParameterKind.Matrix"/>) when AdamW trains them; null = shared.</summary>
    public AdamWGroupOptions? Matrix { get; init; }

    /// <summary>Own settings of biases and norm gains (<see cref="ParameterKind.Vector"/>); null = shared.</summary>
    public AdamWGroupOptions? Scalar { get; init; }

    /// <summary>The own settings of the group of <paramref name="kind"/>, or null when it uses the shared ones.</summary>
    public AdamWGroupOptions? Group(ParameterKind kind) => kind switch
    {
        ParameterKind.Embedding => Embedding,
        ParameterKind.Head => Head,
        ParameterKind.Matrix => Matrix,
        _ => Scalar,
    };

    /// <summary>
    /// The betas and weight decay <paramref name="parameter"/> trains with: its group's where set, else the shared
    /// ones, with no shared decay for a 1-D parameter.
    /// </summary>
    public (double Beta1, double Beta2, double WeightDecay) For(Parameter parameter)
    {
        var group = Group(parameter.Kind);
        return (group?.Beta1 ?? Beta1, group?.Beta2 ?? Beta2,
            group?.WeightDecay ?? (parameter.IsMatrix ? WeightDecay : 0));
    }
}
