namespace PretrainLab.Data.Corpora;

/// <summary>Where one corpus's documents are and how to read them.</summary>
/// <param name="Paths">Files and folders; a folder stands for every file below it (hidden ones skipped), in ordinal path order.</param>
/// <param name="Format">How the files hold documents; null picks by extension (see <see cref="DocumentReader.FormatOf"/>).</param>
/// <param name="TextField">For JSON Lines, the string field holding each document's text.</param>
/// <param name="Separator">For text files, where a file is cut into documents.</param>
public sealed record CorpusSource(IReadOnlyList<string> Paths, DocumentFormat? Format, string TextField, DocumentSeparator Separator)
{
    /// <summary>Files and folders read with the defaults: format by extension, field <c>text</c>, a text file is one document.</summary>
    public static CorpusSource Of(params string[] paths) => new(paths, Format: null, TextField: "text", DocumentSeparator.None);
}
