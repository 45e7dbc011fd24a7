using System.Globalization;
using PretrainLab.Lab.Recipes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PretrainLab.Lab.Datasets;

/// <summary>
/// One YAML mapping of a configuration file read key by key with types, ranges and defaults. Every
/// problem is recorded as one line naming the file, line and dotted field; keys nobody asked for are
/// reported by <see cref="RejectUnknownKeys"/> with the closest valid key.
/// </summary>
internal sealed class ConfigSection
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);
    private readonly Context _context;
    private readonly string _path;

    private ConfigSection(YamlMappingNode? node, string path, Context context)
    {
        _path = path;
        _context = context;
        if (node is null)
            return;
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: { } name } scalar)
                _entries[name] = (scalar, value);
            else
                context.Add(path, key.Start.Line, "expected a key");
        }
    }

    /// <summary>The problems found so far, shared by every section of the file.</summary>
    public IReadOnlyList<string> Errors => _context.Errors;

    /// <summary>The directory relative paths are resolved against.</summary>
    public string BaseDirectory => _context.BaseDirectory;

    /// <summary>Parses YAML text as the root mapping; null (with the error recorded) when it is not one.</summary>
    public static ConfigSection? Parse(string text, string source, string baseDirectory, out IReadOnlyList<string> errors)
    {
        var context = new Context(source, baseDirectory);
        errors = context.Errors;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            context.Add("", e is YamlException y ? y.Start.Line : null, $"invalid YAML: {e.Message}");
            return null;
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            context.Add("", null, "expected one YAML mapping of configuration keys");
            return null;
        }
        return new ConfigSection(root, "", context);
    }

    /// <summary>A string; <paramref name="fallback"/> when absent or null.</summary>
    public string Text(string key, string fallback) => OptionalText(key) ?? fallback;

    /// <summary>A string, or null when absent or null.</summary>
    public string? OptionalText(string key) => Scalar(key) is { } s ? s.Value : null;

    /// <summary>A non-empty string; an error when absent.</summary>
    public string RequiredText(string key)
    {
        var value = OptionalText(key);
        if (string.IsNullOrEmpty(value))
            Error(key, "required");
        return value ?? "";
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Integer(string key, long fallback, long min, long max = long.MaxValue) =>
        OptionalInteger(key, min, max) ?? fallback;

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or null when absent or null.</summary>
    public long? OptionalInteger(string key, long min, long max = long.MaxValue)
    {
        if (Scalar(key) is not { } s)
            return null;
        var text = s.Value!.Replace("_", "");
        bool ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value);
        // Integral exponent forms (1e8) are natural for token counts; beyond 2^53 a double would round.
        if (!ok && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number == Math.Floor(number) && Math.Abs(number) <= 9007199254740992.0)
        {
            value = (long)number;
            ok = true;
        }
        if (ok && value >= min && value <= max)
            return value;
        Error(key, $"must be an integer {Range(min, max)}, got '{s.Value}'", s);
        return null;
    }

    /// <summary>A number that <paramref name="valid"/> accepts, described by <paramref name="rule"/> in errors.</summary>
    public double Number(string key, double fallback, Func<double, bool> valid, string rule) =>
        OptionalNumber(key, fallback, valid, rule) ?? fallback;

    /// <summary>A number that <paramref name="valid"/> accepts; <paramref name="fallback"/> when absent; null when written as null.</summary>
    public double? OptionalNumber(string key, double? fallback, Func<double, bool> valid, string rule)
    {
        _asked.Add(key);
        if (!_entries.TryGetValue(key, out var entry))
            return fallback;
        if (IsNull(entry.Value))
            return null;
        if (entry.Value is YamlScalarNode { Value: { } text }
            && double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value) && valid(value))
            return value;
        Error(key, $"must be {rule}, got {Describe(entry.Value)}", entry.Value);
        return fallback;
    }

    /// <summary>true or false.</summary>
    public bool Bool(string key, bool fallback)
    {
        if (Scalar(key) is not { } s)
            return fallback;
        if (bool.TryParse(s.Value, out var value))
            return value;
        Error(key, $"must be true or false, got '{s.Value}'", s);
        return fallback;
    }

    /// <summary>One of <paramref name="choices"/>' keys.</summary>
    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        if (Scalar(key) is not { } s)
            return fallback;
        if (choices.TryGetValue(s.Value!, out var value))
            return value;
        Error(key, $"must be one of {string.Join(", ", choices.Keys)}, got '{s.Value}'", s);
        return fallback;
    }

    /// <summary>A string or a list of strings; empty when absent.</summary>
    public IReadOnlyList<string> Texts(string key)
    {
        _asked.Add(key);
        if (!_entries.TryGetValue(key, out var entry) || IsNull(entry.Value))
            return [];
        if (entry.Value is YamlScalarNode { Value: { } one })
            return [one];
        if (entry.Value is YamlSequenceNode list && list.Children.All(c => c is YamlScalarNode { Value: not null }))
            return list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        Error(key, $"must be a string or a list of strings, got {Describe(entry.Value)}", entry.Value);
        return [];
    }

    /// <summary>
    /// A mapping from integers to numbers <paramref name="valid"/> accepts (e.g. <c>{2: 0.2, 3: 0.18}</c>);
    /// <paramref name="fallback"/> when absent, null when written as null.
    /// </summary>
    public IReadOnlyDictionary<int, double>? NumberByInteger(string key, IReadOnlyDictionary<int, double>? fallback, Func<double, bool> valid, string rule)
    {
        _asked.Add(key);
        if (!_entries.TryGetValue(key, out var entry))
            return fallback;
        if (IsNull(entry.Value))
            return null;
        var result = new SortedDictionary<int, double>();
        if (entry.Value is YamlMappingNode map)
        {
            foreach (var (k, v) in map.Children)
            {
                if (k is YamlScalarNode { Value: { } n } && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= 1
                    && v is YamlScalarNode { Value: { } x } && double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit) && valid(limit))
                {
                    result[size] = limit;
                    continue;
                }
                Error($"{key}.{k}", $"expected n: limit with n >= 1 and the limit {rule}, got {Describe(v)}", v);
            }
            return result;
        }
        Error(key, $"must be a mapping of n-gram size to limit, e.g. {{2: 0.2, 3: 0.18}}, got {Describe(entry.Value)}", entry.Value);
        return fallback;
    }

    /// <summary>The nested mapping at <paramref name="key"/>; an empty section when absent or null.</summary>
    public ConfigSection Section(string key)
    {
        _asked.Add(key);
        if (_entries.TryGetValue(key, out var entry) && !IsNull(entry.Value))
        {
            if (entry.Value is YamlMappingNode map)
                return new ConfigSection(map, Join(key), _context);
            Error(key, $"must be a mapping of keys, got {Describe(entry.Value)}", entry.Value);
        }
        return new ConfigSection(null, Join(key), _context);
    }

    /// <summary>The list of mappings at <paramref name="key"/>, each named <c>key[i]</c> in errors.</summary>
    public IReadOnlyList<ConfigSection> Sections(string key)
    {
        _asked.Add(key);
        if (!_entries.TryGetValue(key, out var entry) || IsNull(entry.Value))
            return [];
        if (entry.Value is YamlSequenceNode list)
        {
            var sections = new List<ConfigSection>();
            for (int i = 0; i < list.Children.Count; i++)
            {
                if (list.Children[i] is YamlMappingNode map)
                    sections.Add(new ConfigSection(map, Join($"{key}[{i}]"), _context));
                else
                    Error($"{key}[{i}]", $"must be a mapping of keys, got {Describe(list.Children[i])}", list.Children[i]);
            }
            return sections;
        }
        Error(key, $"must be a list, got {Describe(entry.Value)}", entry.Value);
        return [];
    }

    /// <summary>Whether the key is written (even as null).</summary>
    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>Records a problem with <paramref name="key"/>, located at its value when it has one.</summary>
    public void Error(string key, string message, YamlNode? at = null)
    {
        long? line = at?.Start.Line ?? (_entries.TryGetValue(key, out var entry) ? entry.Key.Start.Line : null);
        _context.Add(Join(key), line, message);
    }

    /// <summary>Reports every key of this mapping that no reader asked for, suggesting the closest asked-for key.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (name, (key, _)) in _entries)
        {
            if (_asked.Contains(name))
                continue;
            var closest = EditDistance.Closest(name, _asked);
            _context.Add(Join(name), key.Start.Line, closest is null
                ? $"unknown key (valid here: {string.Join(", ", _asked)})"
                : $"unknown key; did you mean '{Join(closest)}'?");
        }
    }

    private YamlScalarNode? Scalar(string key)
    {
        _asked.Add(key);
        if (!_entries.TryGetValue(key, out var entry) || IsNull(entry.Value))
            return null;
        if (entry.Value is YamlScalarNode { Value: not null } scalar)
            return scalar;
        Error(key, $"must be a single value, got {Describe(entry.Value)}", entry.Value);
        return null;
    }

    private string Join(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private static string Range(long min, long max) =>
        max == long.MaxValue ? $">= {min}" : $"in [{min}, {max}]";

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "null",
        _ => $"'{node}'",
    };

    private sealed class Context(string source, string baseDirectory)
    {
        public List<string> Errors { get; } = [];

        public string BaseDirectory { get; } = baseDirectory;

        public void Add(string path, long? line, string message)
        {
            var location = line is null ? $"{source}: " : $"{source}:{line}: ";
            Errors.Add(path.Length == 0 ? $"{location}{message}" : $"{location}{path}: {message}");
        }
    }
}
