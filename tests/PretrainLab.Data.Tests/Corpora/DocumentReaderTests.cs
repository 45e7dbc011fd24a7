using System.IO.Compression;
using System.Text;
using PretrainLab.Data.Corpora;

namespace PretrainLab.Data.Tests.Corpora;

public sealed class DocumentReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TextFile_IsOneDocumentByDefault()
    {
        string path = Write("a.txt", "First line.\n\nSecond paragraph.\n");
        var documents = DocumentReader.Read(CorpusSource.Of(path)).ToList();
        var document = Assert.Single(documents);
        Assert.Equal("First line.\n\nSecond paragraph.\n", document.Text);
        Assert.Equal(path, document.Source);
    }

    [Fact]
    public void BlankLines_CutDocuments_AndDropTheBlankLinesAndLineEnds()
    {
        string path = Write("a.txt", "\n\nOne\ntwo\n\n \t\nThree\r\n\r\nFour\n");
        var source = CorpusSource.Of(path) with { Separator = DocumentSeparator.BlankLines };
        var documents = DocumentReader.Read(source).ToList();
        Assert.Equal(["One\ntwo", "Three", "Four"], documents.Select(d => d.Text));
        Assert.Equal([$"{path}#1", $"{path}#2", $"{path}#3"], documents.Select(d => d.Source));
    }

    [Fact]
    public void LiteralSeparator_CutsAtEachOccurrence_AndSkipsBlankDocuments()
    {
        string path = Write("a.txt", "alpha<|doc|>beta <|doc|><|doc|>  \n<|doc|>gamma");
        var source = CorpusSource.Of(path) with { Separator = DocumentSeparator.Literal("<|doc|>") };
        Assert.Equal(["alpha", "beta ", "gamma"], DocumentReader.Read(source).Select(d => d.Text));
    }

    [Fact]
    public void JsonLines_OneDocumentPerLine_FromTheChosenField()
    {
        string path = Write("a.jsonl", "{\"text\": \"one\", \"id\": 1}\n\n{\"body\": \"x\", \"text\": \"two\\nlines\"}\r\n");
        var documents = DocumentReader.Read(CorpusSource.Of(path)).ToList();
        Assert.Equal(["one", "two\nlines"], documents.Select(d => d.Text));
        Assert.Equal([$"{path}:1", $"{path}:3"], documents.Select(d => d.Source));

        var body = CorpusSource.Of(Write("b.jsonl", "{\"body\": \"x\"}\n")) with { TextField = "body" };
        Assert.Equal("x", Assert.Single(DocumentReader.Read(body)).Text);
    }

    [Fact]
    public void RegexSeparator_CutsStoriesAtSingleLineBreaks_NotAtBlankLines()
    {
        // TinyStories' layout: paragraphs separated by blank lines, stories by a single line break.
        string path = Write("stories.txt", "Story one.\n\nIts second paragraph.\nStory two.\n\nMore.\nStory three.\n");
        var source = CorpusSource.Of(path) with { Separator = DocumentSeparator.Pattern(@"(?<=[^\n])\n(?=[^\n])") };
        Assert.Equal(["Story one.\n\nIts second paragraph.", "Story two.\n\nMore.", "Story three.\n"], DocumentReader.Read(source).Select(d => d.Text));
    }

    [Theory]
    [InlineData("{\"text\": 5}\n", "line 1: field \"text\" is number, expected a string")]
    [InlineData("{\"text\": \"ok\"}\n{\"title\": \"x\"}\n", "line 2: the object has no field \"text\"")]
    [InlineData("[1, 2]\n", "line 1: expected a JSON object, got array")]
    [InlineData("{\"text\": \"unterminated}\n", "line 1: not valid JSON")]
    public void JsonLines_BadLine_IsNamedWithFileAndLine(string content, string expected)
    {
        string path = Write("bad.jsonl", content);
        var ex = Assert.Throws<InvalidDataException>(() => DocumentReader.Read(CorpusSource.Of(path)).ToList());
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Gzip_IsReadTransparently_ForTextAndJsonLines()
    {
        string text = Gzip("a.txt.gz", "A\n\nB\n");
        string jsonl = Gzip("b.jsonl.gz", "{\"text\": \"C\"}\n");
        var source = new CorpusSource([text, jsonl], Format: null, "text", DocumentSeparator.BlankLines);
        Assert.Equal(["A", "B", "C"], DocumentReader.Read(source).Select(d => d.Text));
        Assert.Equal(DocumentFormat.JsonLines, DocumentReader.FormatOf(jsonl));
        Assert.Equal(DocumentFormat.Text, DocumentReader.FormatOf(text));
    }

    [Fact]
    public void CorruptGzip_IsNamed()
    {
        string path = Write("broken.txt.gz", "this is not gzip");
        var ex = Assert.Throws<InvalidDataException>(() => DocumentReader.Read(CorpusSource.Of(path)).ToList());
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Folder_IsEveryFileBelowIt_InOrdinalOrder_SkippingHiddenOnes()
    {
        string root = Path.Combine(_dir.Path, "corpus");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        File.WriteAllText(Path.Combine(root, "b.txt"), "b");
        File.WriteAllText(Path.Combine(root, "a.txt"), "a");
        File.WriteAllText(Path.Combine(root, "sub", "c.txt"), "c");
        File.WriteAllText(Path.Combine(root, ".hidden"), "h");
        File.WriteAllText(Path.Combine(root, ".git", "config"), "g");
        Assert.Equal(["a", "b", "c"], DocumentReader.Read(CorpusSource.Of(root)).Select(d => d.Text));
    }

    [Fact]
    public void MissingPath_IsNamed()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => DocumentReader.Read(CorpusSource.Of(_dir.File("absent.txt"))).ToList());
        Assert.Contains("absent.txt", ex.Message);
    }

    [Fact]
    public void ByteOrderMark_IsDropped_AndInvalidUtf8BecomesReplacementCharacters()
    {
        string path = _dir.File("bom.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, (byte)'h', 0xFF, (byte)'i']);
        Assert.Equal("h\uFFFDi", Assert.Single(DocumentReader.Read(CorpusSource.Of(path))).Text);
    }

    private string Write(string name, string content)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Gzip(string name, string content)
    {
        string path = _dir.File(name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(content));
        return path;
    }
}
