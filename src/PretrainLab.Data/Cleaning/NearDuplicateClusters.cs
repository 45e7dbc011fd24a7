namespace PretrainLab.Data.Cleaning;

/// <summary>What <see cref="NearDuplicateFinder"/> found.</summary>
/// <param name="Representative">
/// For each document, the earliest document of its cluster (itself when it has no near duplicate).
/// Clusters are the connected components of the matched pairs.
/// </param>
/// <param name="Pairs">The candidate pairs whose exact Jaccard similarity reached the threshold, in the order found.</param>
/// <param name="CandidatePairs">Candidate pairs checked (documents sharing a band and not already in one cluster).</param>
/// <param name="Banding">The LSH banding used.</param>
public sealed record NearDuplicateClusters(int[] Representative, IReadOnlyList<NearDuplicatePair> Pairs, long CandidatePairs, LshBanding Banding)
{
    /// <summary>Number of documents that are not their cluster's representative.</summary>
    public int Duplicates => Representative.Where((r, i) => r != i).Count();
}
