namespace PretrainLab.Lab.Store;

/// <summary>Which runs <see cref="ILabStore.ListRuns"/> returns, in what order.</summary>
public sealed record RunQuery
{
    /// <summary>Only this study's runs; null for all.</summary>
    public long? StudyId { get; init; }

    /// <summary>Only runs in these states; null for all.</summary>
    public IReadOnlyList<RunState>? States { get; init; }

    /// <summary>Only this variant (by label); null for all.</summary>
    public string? Label { get; init; }

    /// <summary>Only this variant (by <see cref="RunRecord.ConfigHash"/>); null for all.</summary>
    public string? ConfigHash { get; init; }

    /// <summary>Order by this metric, lowest first and missing values last; null orders by id.</summary>
    public string? OrderByMetric { get; init; }

    /// <summary>Whether to read each run's recipe JSON, the bulk of a row; lists and analyses do without.</summary>
    public bool WithRecipes { get; init; }

    /// <summary>At most this many; null for all.</summary>
    public int? Limit { get; init; }
}
