using PretrainLab.Data.Hashing;

namespace PretrainLab.Data.Mixtures;

/// <summary>
/// Draws a weighted mixture of several sources' documents, deterministically from a seed. Weights
/// are token shares: with weights normalised to w_i and a target of T tokens, source i contributes
/// documents until its tokens reach w_i·T, so it ends within one document of its share.
/// </summary>
/// <remarks>
/// <para>
/// Each source's documents are drawn in a seeded random order without replacement, each one whole
/// (its end-of-text separator included in its tokens). A document is drawn while the source's drawn
/// tokens are below its target, so a source overshoots by less than one document.
/// </para>
/// <para>
/// With no target, T is the largest total that no source has to repeat a document for:
/// T = min over sources of (its tokens / w_i). The source that sets T contributes all its documents;
/// the others a weighted part of theirs. With a target, a source whose documents run out before its
/// share starts another pass in a fresh random order (an epoch), so small sources are upsampled.
/// </para>
/// <para>
/// Sources without any document are left out and the others' weights renormalised; the result says
/// so with a share of zero. The drawn documents of all sources are finally shuffled together, seeded.
/// </para>
/// </remarks>
public static class MixtureSampler
{
    /// <summary>Draws the mixture.</summary>
    /// <param name="components">The sources, in a fixed order (it is part of what the seed decides).</param>
    /// <param name="targetTokens">Tokens to draw, or null for as many as the weights allow without repetition.</param>
    /// <param name="seed">Seed of the draw and the final order.</param>
    /// <returns>The documents in mixture order, and each source's share.</returns>
    /// <exception cref="ArgumentException">There are no components, a weight is not positive and finite, or the target is negative.</exception>
    public static (IReadOnlyList<MixturePick> Order, IReadOnlyList<MixtureShare> Shares) Sample(
        IReadOnlyList<MixtureComponent> components, long? targetTokens, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (components.Count == 0)
            throw new ArgumentException("A mixture needs at least one source.", nameof(components));
        foreach (var c in components)
        {
            if (!(c.Weight > 0) || !double.IsFinite(c.Weight))
                throw new ArgumentException($"Source '{c.Name}' has weight {c.Weight}; weights must be positive and finite.", nameof(components));
        }
        if (targetTokens < 0)
            throw new ArgumentException($"The target of {targetTokens} tokens is negative.", nameof(targetTokens));

        var totals = components.Select(c => c.DocumentTokens.Sum()).ToArray();
        double weightSum = components.Where((c, i) => totals[i] > 0).Sum(c => c.Weight);
        double Weight(int i) => totals[i] > 0 ? components[i].Weight / weightSum : 0;
        long target = targetTokens ?? (weightSum == 0 ? 0 : (long)Math.Floor(Enumerable.Range(0, components.Count)
            .Where(i => totals[i] > 0)
            .Min(i => totals[i] / Weight(i))));

        var order = new List<MixturePick>();
        var drawn = new (long Tokens, long Documents, int Epochs, long Target)[components.Count];
        for (int s = 0; s < components.Count; s++)
        {
            var tokens = components[s].DocumentTokens;
            long quota = (long)Math.Round(Weight(s) * target);
            drawn[s].Target = quota;
            if (tokens.Count == 0 || totals[s] == 0)
                continue;
            var permutation = new int[tokens.Count];
            while (drawn[s].Tokens < quota)
            {
                // Without a target, rounding must not start a second pass over the source that set T.
                if (drawn[s].Epochs > 0 && targetTokens is null)
                    break;
                for (int i = 0; i < permutation.Length; i++)
                    permutation[i] = i;
                var random = new SplitMix64(StableHash.Mix(seed ^ StableHash.Mix(((ulong)s << 32) | (uint)drawn[s].Epochs)));
                random.Shuffle(permutation.AsSpan());
                drawn[s].Epochs++;
                foreach (int document in permutation)
                {
                    if (drawn[s].Tokens >= quota)
                        break;
                    order.Add(new MixturePick(s, document));
                    drawn[s].Tokens += tokens[document];
                    drawn[s].Documents++;
                }
            }
        }

        var picks = order.ToArray();
        new SplitMix64(StableHash.Mix(~seed)).Shuffle(picks.AsSpan());
        long total = drawn.Sum(d => d.Tokens);
        var shares = components.Select((c, s) => new MixtureShare
        {
            Name = c.Name,
            Weight = Weight(s),
            TargetTokens = drawn[s].Target,
            Tokens = drawn[s].Tokens,
            Share = total == 0 ? 0 : (double)drawn[s].Tokens / total,
            Documents = drawn[s].Documents,
            AvailableDocuments = c.DocumentTokens.Count,
            Epochs = drawn[s].Epochs,
        }).ToList();
        return (picks, shares);
    }
}
