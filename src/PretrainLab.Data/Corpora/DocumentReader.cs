using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace PretrainLab.Data.Corpora;

/// <summary>
/// Reads the documents of a <see cref="CorpusSource"/>: UTF-8 text files (one document each, or cut
/// at a separator) and JSON Lines files (one document per non-blank line), either of them
/// gzip-compressed when the name ends in <c>.gz</c>. Invalid UTF-8 reads as U+FFFD; a leading
/// byte order mark is dropped.
/// </summary>
public static class DocumentReader
{
    /// <summary>
    /// The documents of every file of <paramref name="source"/>, file by file in the order of
    /// <see cref="ListFiles"/>, each file's documents in order. Files are opened as the enumeration reaches them.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path is neither a file nor a folder; the message names it.</exception>
    /// <exception cref="InvalidDataException">A JSON Lines line is not an object with a string in the text
    /// field, or a .gz file is not gzip; the message names the file and line.</exception>
    public static IEnumerable<Document> Read(CorpusSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        foreach (string file in ListFiles(source.Paths))
        {
            var format = source.Format ?? FormatOf(file);
            var documents = format == DocumentFormat.JsonLines
                ? ReadJsonLines(file, source.TextField)
                : ReadText(file, source.Separator);
            foreach (var document in documents)
                yield return document;
        }
    }

    /// <summary>
    /// The files <paramref name="paths"/> stand for: files as given, folders expanded to every file
    /// below them whose path has no part starting with '.', sorted ordinally within each folder.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path is neither a file nor a folder.</exception>
    public static IReadOnlyList<string> ListFiles(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                var below = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                    .Order(StringComparer.Ordinal);
                files.AddRange(below);
            }
            else
            {
                throw new FileNotFoundException($"corpus path not found: {Path.GetFullPath(path)}", path);
            }
        }
        return files;
    }

    /// <summary>
    /// The format a file's name implies: <see cref="DocumentFormat.JsonLines"/> for <c>.jsonl</c>,
    /// <c>.ndjson</c> (and those with <c>.gz</c> after them), <see cref="DocumentFormat.Text"/> otherwise.
    /// </summary>
    public static DocumentFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = IsGzip(path) ? path[..^3] : path;
        return Path.GetExtension(name).ToLowerInvariant() is ".jsonl" or ".ndjson" ? DocumentFormat.JsonLines : DocumentFormat.Text;
    }

    private static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    private static StreamReader Open(string file)
    {
        Stream stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        if (IsGzip(file))
            stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
    }

    private static IEnumerable<Document> ReadText(string file, DocumentSeparator separator)
    {
        string text;
        try
        {
            using var reader = Open(file);
            text = reader.ReadToEnd();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: not a valid gzip file: {e.Message}", e);
        }
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];

        int index = 0;
        foreach (var range in separator.Split(text))
        {
            index++;
            string source = ReferenceEquals(separator, DocumentSeparator.None) ? file : $"{file}#{index}";
            yield return new Document(source, text[range]);
        }
    }

    private static IEnumerable<Document> ReadJsonLines(string file, string field)
    {
        using var reader = Open(file);
        int lineNumber = 0;
        while (true)
        {
            string? line;
            try
            {
                line = reader.ReadLine();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{file}: not a valid gzip file: {e.Message}", e);
            }
            if (line is null)
                yield break;
            lineNumber++;
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF')
                line = line[1..];
            if (string.IsNullOrWhiteSpace(line))
                continue;
            yield return new Document($"{file}:{lineNumber}", TextOf(line, field, file, lineNumber));
        }
    }

    private static string TextOf(string line, string field, string file, int lineNumber)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{file}, line {lineNumber}: expected a JSON object, got {json.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            if (!json.RootElement.TryGetProperty(field, out var value))
                throw new InvalidDataException($"{file}, line {lineNumber}: the object has no field \"{field}\"");
            if (value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{file}, line {lineNumber}: field \"{field}\" is {value.ValueKind.ToString().ToLowerInvariant()}, expected a string");
            return value.GetString()!;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}, line {lineNumber}: not valid JSON: {e.Message}", e);
        }
    }
}
