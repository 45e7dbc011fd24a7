namespace PretrainLab.Data.Corpora;

/// <summary>One document of a corpus: its text and where it came from.</summary>
/// <param name="Source">Where the text was read, for reports: <c>path</c>, <c>path#k</c> (the k-th document of a separated text file, from 1) or <c>path:line</c> (JSON Lines).</param>
/// <param name="Text">The document's text.</param>
public sealed record Document(string Source, string Text);
