namespace PretrainLab.Data.Mixtures;

/// <summary>One source of a mixture.</summary>
/// <param name="Name">The source's name.</param>
/// <param name="Weight">Its weight, &gt; 0; weights are normalised to sum to 1.</param>
/// <param name="DocumentTokens">The tokens of each of its documents (separator included), in input order.</param>
public sealed record MixtureComponent(string Name, double Weight, IReadOnlyList<long> DocumentTokens);
