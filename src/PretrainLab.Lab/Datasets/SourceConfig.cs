using PretrainLab.Data.Corpora;

namespace PretrainLab.Lab.Datasets;

/// <summary>One corpus of a dataset (an entry of <c>sources</c>).</summary>
/// <param name="Name">Its name in reports and the manifest (<c>name</c>), unique.</param>
/// <param name="Corpus">Its files and how to read them (<c>paths</c>, <c>format</c>, <c>separator</c>, <c>separator_text</c>, <c>text_field</c>).</param>
/// <param name="Weight">Its mixture weight (<c>weight</c>), &gt; 0: its share of each split's tokens is weight / sum of weights.</param>
public sealed record SourceConfig(string Name, CorpusSource Corpus, double Weight);
