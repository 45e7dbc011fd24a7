using PretrainLab.Lab.Analysis;

namespace PretrainLab.Research.Studies;

/// <summary>One variant of a research study (the baseline or an experiment) and what its runs say so far.</summary>
public sealed record VariantResult
{
    /// <summary>Its label: <c>baseline</c> or <c>e1</c>, <c>e2</c>, ...</summary>
    public required string Label { get; init; }

    /// <summary>What it changes from the baseline, <c>dotted.path</c> to value text.</summary>
    public required IReadOnlyDictionary<string, string> Knobs { get; init; }

    /// <summary>The seeds it was asked to run with.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>Its runs not yet ended.</summary>
    public int Pending { get; init; }

    /// <summary>Its runs that ended without a usable result (diverged, failed, pruned, cancelled).</summary>
    public int Lost { get; init; }

    /// <summary>Its finished runs with a value, one per seed.</summary>
    public required SeedSample Sample { get; init; }

    /// <summary>Its mean objective over finished seeds, or null before any finished.</summary>
    public double? Mean => Sample.Count > 0 ? Sample.Mean : null;

    /// <summary>Its effect against the baseline, judged against the noise floor; null for the baseline.</summary>
    public Effect? VersusBaseline { get; init; }

    /// <summary>Whether every run it was asked for has ended.</summary>
    public bool Done => Pending == 0;

    /// <summary>The id of its first run, where its hypothesis is journaled.</summary>
    public long FirstRunId { get; init; }
}
