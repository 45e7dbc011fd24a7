namespace PretrainLab.Data.Corpora;

/// <summary>How a corpus file holds its documents.</summary>
public enum DocumentFormat
{
    /// <summary>Plain UTF-8 text: the file is one document, or several cut at a <see cref="DocumentSeparator"/>.</summary>
    Text,

    /// <summary>JSON Lines: one JSON object per line, one document per line, its text in a chosen string field.</summary>
    JsonLines,
}
