using PretrainLab.Data.Cleaning;

namespace PretrainLab.Lab.Datasets;

/// <summary>Near-duplicate detection (configuration section <c>cleaning.near_dedup</c>).</summary>
/// <param name="Threshold">Jaccard similarity of word n-gram shingle sets at or above which documents are near duplicates (<c>threshold</c>).</param>
/// <param name="Ngram">Words per shingle (<c>ngram</c>).</param>
/// <param name="Permutations">MinHash signature length (<c>permutations</c>).</param>
/// <param name="Banding">LSH bands and rows (<c>bands</c>, <c>rows</c>), or null to choose them for the threshold.</param>
/// <param name="Remove">
/// Whether to remove all but each cluster's earliest document (<c>action: remove</c>) or keep them all
/// (<c>action: keep</c>); either way a cluster goes to one split.
/// </param>
public sealed record NearDedupConfig(double Threshold, int Ngram, int Permutations, LshBanding? Banding, bool Remove);
