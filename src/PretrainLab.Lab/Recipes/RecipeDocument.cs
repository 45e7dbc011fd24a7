using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PretrainLab.Lab.Recipes;

/// <summary>
/// A recipe as written: the value for each key the file and overrides set, with where each came from, before
/// it is bound to a <see cref="Recipe"/>. Problems found on the way are added to the shared error list.
/// </summary>
internal sealed class RecipeDocument
{
    /// <summary>The <see cref="RecipeError.Source"/> of values given as overrides.</summary>
    public const string OverrideSource = "override";

    private readonly Dictionary<string, RecipeValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Source, int? Line)> _sectionOrigins = new(StringComparer.Ordinal);
    private readonly string _source;
    private readonly string _baseDirectory;
    private readonly List<RecipeError> _errors;

    private RecipeDocument(string source, string baseDirectory, List<RecipeError> errors)
    {
        _source = source;
        _baseDirectory = baseDirectory;
        _errors = errors;
    }

    /// <summary>
    /// Reads YAML (or JSON) text. Returns null, with the error recorded, when the text is not one well-formed
    /// YAML document, since nothing after a syntax error can be trusted.
    /// </summary>
    public static RecipeDocument? Read(string text, string source, string baseDirectory, List<RecipeError> errors)
    {
        var parser = new Parser(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            errors.Add(new RecipeError("", $"invalid YAML: {e.Message}", source, (int)e.Start.Line));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this rather than a YamlException for some malformed input, e.g. an unclosed '['.
            errors.Add(new RecipeError("", "invalid YAML", source, (int?)parser.Current?.Start.Line));
            return null;
        }

        var document = new RecipeDocument(source, baseDirectory, errors);
        if (stream.Documents.Count > 1)
        {
            errors.Add(new RecipeError(
                "", "expected a single YAML document", source, (int)stream.Documents[1].RootNode.Start.Line));
            return null;
        }
        if (stream.Documents.Count == 1)
        {
            var root = stream.Documents[0].RootNode;
            if (root is YamlMappingNode mapping)
                document.ReadMapping(mapping, "");
            else if (!IsNull(root))
                document.Error("", $"expected a mapping of recipe keys, got {Describe(root)}", root);
        }
        return document;
    }

    /// <summary>
    /// Applies <c>dotted.path=value</c> overrides in order, later ones winning. If any sets a budget key, the
    /// file's budget is dropped first, so an override can switch a recipe from a step to a token budget.
    /// </summary>
    public void ApplyOverrides(IEnumerable<string> overrides)
    {
        var accepted = new List<(RecipeField Field, RecipeValue Value)>();
        foreach (var text in overrides)
        {
            var equals = text.IndexOf('=');
            if (equals <= 0)
            {
                _errors.Add(new RecipeError("", $"'{text}' is not of the form dotted.path=value", OverrideSource));
                continue;
            }
            var path = text[..equals].Trim();
            var field = RecipeSchema.Find(path);
            if (field is null)
            {
                _errors.Add(RecipeSchema.NotAKey(path) with { Source = OverrideSource });
                continue;
            }
            if (ParseOverrideValue(field, text[(equals + 1)..]) is { } value)
                accepted.Add((field, value));
        }

        if (accepted.Any(a => a.Field.Section == RecipeSchema.Budget))
        {
            foreach (var field in RecipeSchema.Fields.Where(f => f.Section == RecipeSchema.Budget))
                _values.Remove(field.Path);
            _sectionOrigins[RecipeSchema.Budget] = (OverrideSource, null);
        }
        foreach (var (field, value) in accepted)
            _values[field.Path] = value;
    }

    /// <summary>
    /// Builds the recipe from the defaults and the values set, recording a type error for each value that does
    /// not fit its key. Setting any budget key replaces the default budget rather than adding to it.
    /// </summary>
    public Recipe Bind()
    {
        var recipe = Recipe.Default;
        if (RecipeSchema.Fields.Any(f => f.Section == RecipeSchema.Budget && _values.ContainsKey(f.Path)))
            recipe = recipe with { Budget = new BudgetSpec() };
        foreach (var field in RecipeSchema.Fields)
        {
            if (!_values.TryGetValue(field.Path, out var value)) continue;
            if (field.Bind(recipe, value) is { } bound)
                recipe = bound;
            else
                _errors.Add(new RecipeError(
                    field.Path, $"expected {field.Expected}, got {value.Described}", value.Source, value.Line));
        }
        return recipe;
    }

    /// <summary>
    /// Gives a validation error the place its key was written, or failing that where its section was, or
    /// at least the recipe's name.
    /// </summary>
    public RecipeError Locate(RecipeError error)
    {
        if (_values.TryGetValue(error.Path, out var value))
            return error with { Source = value.Source, Line = value.Line };
        var section = error.Path.Split('.')[0];
        return _sectionOrigins.TryGetValue(section, out var origin)
            ? error with { Source = origin.Source, Line = origin.Line }
            : error with { Source = _source };
    }

    private void ReadMapping(YamlMappingNode mapping, string prefix)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(prefix, $"expected a key, got {Describe(keyNode)}", keyNode);
                continue;
            }
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (RecipeSchema.Find(path) is { } field)
                ReadValue(field, valueNode);
            else if (RecipeSchema.IsSection(path))
                ReadSection(path, keyNode, valueNode);
            else
                _errors.Add(RecipeSchema.NotAKey(path) with { Source = _source, Line = (int)keyNode.Start.Line });
        }
    }

    private void ReadSection(string path, YamlNode keyNode, YamlNode valueNode)
    {
        _sectionOrigins[path] = (_source, (int)keyNode.Start.Line);
        if (valueNode is YamlMappingNode section)
            ReadMapping(section, path);
        else if (!IsNull(valueNode))
            Error(path, $"expected a mapping of keys, got {Describe(valueNode)}", valueNode);
    }

    private void ReadValue(RecipeField field, YamlNode node)
    {
        if (node is YamlScalarNode scalar)
            _values[field.Path] = new RecipeValue(
                scalar.Value ?? "", IsNull(scalar), _source, (int)scalar.Start.Line, _baseDirectory);
        else
            Error(field.Path, $"expected {field.Expected}, got {Describe(node)}", node);
    }

    private RecipeValue? ParseOverrideValue(RecipeField field, string text)
    {
        var stream = new YamlStream();
        YamlNode? node;
        try
        {
            stream.Load(new StringReader(text));
            // An empty value (`data.val_path=`) is null, as an empty value is in a YAML file.
            node = stream.Documents.Count switch
            {
                0 => new YamlScalarNode(null),
                1 => stream.Documents[0].RootNode,
                _ => null,
            };
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            node = null;
        }

        if (node is not YamlScalarNode scalar)
        {
            var got = node is null ? $"'{text}', which is not a valid YAML scalar" : Describe(node);
            _errors.Add(new RecipeError(field.Path, $"expected {field.Expected}, got {got}", OverrideSource));
            return null;
        }
        // Overrides come from a command line, so relative paths in them mean the current directory.
        return new RecipeValue(scalar.Value ?? "", IsNull(scalar), OverrideSource, null, Environment.CurrentDirectory);
    }

    private void Error(string path, string message, YamlNode node) =>
        _errors.Add(new RecipeError(path, message, _source, (int)node.Start.Line));

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode
        {
            Style: ScalarStyle.Plain or ScalarStyle.Any,
            Value: null or "" or "~" or "null" or "Null" or "NULL",
        };

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a sequence",
        _ when IsNull(node) => "null",
        _ => $"'{node}'",
    };
}
