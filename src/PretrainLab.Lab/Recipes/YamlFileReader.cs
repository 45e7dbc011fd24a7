using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PretrainLab.Lab.Recipes;

/// <summary>
/// What the readers of the lab's YAML files (study files, research agendas) share: the file loaded as one mapping,
/// its keys checked with a "did you mean", and typed values read one by one. Nothing throws on the way: every problem
/// is collected in <see cref="Errors"/> as a <see cref="RecipeError"/> naming the key and the file's line, so a reader
/// reports all of them at once.
/// </summary>
/// <param name="source">The file's name, as errors show it.</param>
/// <param name="baseDirectory">What relative paths in the file are relative to.</param>
public abstract class YamlFileReader(string source, string baseDirectory)
{
    /// <summary>The problems found so far.</summary>
    public List<RecipeError> Errors { get; } = [];

    /// <summary>The file's name, as errors show it.</summary>
    protected string Source => source;

    /// <summary>
    /// Reads the file at <paramref name="path"/> with <paramref name="parse"/>, given its text, its folder (for relative
    /// paths), its name, its name without extension (a default name) and its full path.
    /// </summary>
    /// <exception cref="RecipeException">There is no such file (one error, "<paramref name="kind"/> not found"), or what <paramref name="parse"/> throws.</exception>
    public static T Load<T>(string path, string kind, Func<string, string, string, string, string?, T> parse)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new RecipeException([new RecipeError("", $"{kind} not found: {full}", path)]);
        return parse(File.ReadAllText(full), Path.GetDirectoryName(full)!, Path.GetFileName(full), Path.GetFileNameWithoutExtension(full), full);
    }

    /// <summary><paramref name="value"/>, what was read, when reading found no problem.</summary>
    /// <exception cref="RecipeException">Every problem found, in line order; or nothing was read.</exception>
    public T Checked<T>(T? value) where T : class =>
        Errors.Count == 0 && value is not null ? value : throw new RecipeException(Errors.OrderBy(e => e.Line ?? int.MaxValue).ToList());

    /// <summary>
    /// Lines of the file above the YAML that is read (an agenda's front matter starts below its <c>---</c> line), added to
    /// every line an error names.
    /// </summary>
    protected int LineOffset { get; set; }

    /// <summary>
    /// Loads <paramref name="text"/> as one YAML document whose root is a mapping; null when it is not, with the error
    /// recorded: the parser's, or <paramref name="notAMapping"/> at <paramref name="notAMappingLine"/>.
    /// </summary>
    protected YamlMappingNode? LoadMapping(string text, string notAMapping, int? notAMappingLine)
    {
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 1 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            Errors.Add(new RecipeError("", $"invalid YAML: {e.Message}", source, e is YamlException y ? (int)y.Start.Line + LineOffset : null));
            return null;
        }
        if (root is null)
            Errors.Add(new RecipeError("", notAMapping, source, notAMappingLine));
        return root;
    }

    /// <summary>The entries of <paramref name="root"/> whose keys are among <paramref name="keys"/>; any other key is an error with the closest valid one.</summary>
    protected Dictionary<string, YamlNode> KnownKeys(YamlMappingNode root, IReadOnlyList<string> keys)
    {
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (keys.Contains(key))
            {
                values[key] = value;
                continue;
            }
            var closest = EditDistance.Closest(key, keys);
            var hint = closest is not null ? $"; did you mean '{closest}'?" : $"; expected one of {string.Join(", ", keys)}";
            Error(key, $"unknown key{hint}", keyNode);
        }
        return values;
    }

    /// <summary>
    /// <c>--set</c>-style overrides, <paramref name="prefix"/> before each path: a list of <c>dotted.path=value</c> or a
    /// mapping of <c>dotted.path: value</c>.
    /// </summary>
    protected IEnumerable<string> Overrides(YamlNode node, string key, string prefix = "")
    {
        switch (node)
        {
            case YamlSequenceNode list:
                foreach (var item in list)
                {
                    if (Scalar(item, key) is { } text)
                        yield return prefix + text;
                }
                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    if (Scalar(v, $"{key}.{k}") is { } value)
                        yield return $"{prefix}{k}={value}";
                }
                break;
            default:
                Error(key, "expected a list of dotted.path=value or a mapping of dotted.path: value", node);
                break;
        }
    }

    /// <summary>The full path of the file named by <paramref name="node"/>, relative to the base directory; null when it does not exist.</summary>
    protected string? ExistingFile(YamlNode node, string key)
    {
        if (Scalar(node, key) is not { } text)
            return null;
        var full = Path.GetFullPath(Path.Combine(baseDirectory, text));
        if (File.Exists(full))
            return full;
        Error(key, $"file not found: {full}", node);
        return null;
    }

    /// <summary>An integer of at least <paramref name="min"/>, also when written as a number such as <c>2e6</c> or <c>1_000</c>.</summary>
    protected int? Integer(YamlNode node, string key, int min)
    {
        var text = Scalar(node, key);
        if (text is null)
            return null;
        if (double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && x == Math.Floor(x) && x >= min && x <= int.MaxValue)
            return (int)x;
        Error(key, $"expected an integer >= {min}, got '{text}'", node);
        return null;
    }

    /// <summary>The text of a single value; a list or mapping is an error.</summary>
    protected string? Scalar(YamlNode node, string key)
    {
        if (node is YamlScalarNode { Value: { } value })
            return value;
        Error(key, "expected a single value", node);
        return null;
    }

    /// <summary>Records an error about <paramref name="key"/> at <paramref name="node"/>'s line.</summary>
    protected void Error(string key, string message, YamlNode node) => Errors.Add(new RecipeError(key, message, source, Line(node)));

    /// <summary>The file's line of <paramref name="node"/>.</summary>
    protected int Line(YamlNode node) => (int)node.Start.Line + LineOffset;
}
