namespace PretrainLab.Data.Cleaning;

/// <summary>Two documents whose shingle sets' Jaccard similarity reached the threshold.</summary>
/// <param name="First">The earlier document's index.</param>
/// <param name="Second">The later document's index.</param>
/// <param name="Jaccard">Their exact Jaccard similarity.</param>
public readonly record struct NearDuplicatePair(int First, int Second, double Jaccard);
