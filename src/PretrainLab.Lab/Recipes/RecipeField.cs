using System.Text.Json;

namespace PretrainLab.Lab.Recipes;

/// <summary>
/// One leaf key of the recipe schema: its dotted path, the type it accepts, and how it reads from and writes to
/// a <see cref="Recipe"/>. The factories cover the value types recipes use.
/// </summary>
internal sealed class RecipeField
{
    private readonly Func<Recipe, object?> _get;
    private readonly Func<Recipe, RecipeValue, Recipe?> _bind;

    private RecipeField(
        string path, string expected, Func<Recipe, object?> get, Func<Recipe, RecipeValue, Recipe?> bind, bool omitWhenNull)
    {
        Path = path;
        Expected = expected;
        _get = get;
        _bind = bind;
        OmitWhenNull = omitWhenNull;
        var dot = path.LastIndexOf('.');
        Section = dot < 0 ? null : path[..dot];
        Key = path[(dot + 1)..];
    }

    /// <summary>The dotted path, e.g. <c>model.n_layer</c>.</summary>
    public string Path { get; }

    /// <summary>The section holding the key (<c>model</c>), or null for a top-level key.</summary>
    public string? Section { get; }

    /// <summary>The key within its section (<c>n_layer</c>).</summary>
    public string Key { get; }

    /// <summary>What the key accepts, as error messages phrase it: <c>an integer</c>.</summary>
    public string Expected { get; }

    /// <summary>Whether canonical JSON leaves the key out when its value is null.</summary>
    public bool OmitWhenNull { get; }

    public static RecipeField Int(string path, Func<Recipe, int> get, Func<Recipe, int, Recipe> set) =>
        new(path, "an integer", r => get(r),
            (r, v) => v.TryInteger(int.MinValue, int.MaxValue, out var x) ? set(r, (int)x) : null, omitWhenNull: false);

    public static RecipeField OptionalInt(string path, Func<Recipe, int?> get, Func<Recipe, int?, Recipe> set) =>
        new(path, "an integer or null", r => get(r),
            (r, v) => v.IsNull ? set(r, null) : v.TryInteger(int.MinValue, int.MaxValue, out var x) ? set(r, (int)x) : null,
            omitWhenNull: false);

    public static RecipeField Long(string path, Func<Recipe, long> get, Func<Recipe, long, Recipe> set) =>
        new(path, "an integer", r => get(r),
            (r, v) => v.TryInteger(long.MinValue, long.MaxValue, out var x) ? set(r, x) : null, omitWhenNull: false);

    public static RecipeField OptionalLong(
        string path, Func<Recipe, long?> get, Func<Recipe, long?, Recipe> set, bool omitWhenNull) =>
        new(path, "an integer or null", r => get(r),
            (r, v) => v.IsNull ? set(r, null)
                : v.TryInteger(long.MinValue, long.MaxValue, out var x) ? set(r, x) : null,
            omitWhenNull);

    public static RecipeField Number(string path, Func<Recipe, double> get, Func<Recipe, double, Recipe> set) =>
        new(path, "a number", r => get(r), (r, v) => v.TryNumber(out var x) ? set(r, x) : null, omitWhenNull: false);

    public static RecipeField OptionalNumber(
        string path, Func<Recipe, double?> get, Func<Recipe, double?, Recipe> set, bool omitWhenNull) =>
        new(path, "a number or null", r => get(r),
            (r, v) => v.IsNull ? set(r, null) : v.TryNumber(out var x) ? set(r, x) : null, omitWhenNull);

    public static RecipeField Bool(string path, Func<Recipe, bool> get, Func<Recipe, bool, Recipe> set) =>
        new(path, "true or false", r => get(r), (r, v) => v.TryBoolean(out var x) ? set(r, x) : null, omitWhenNull: false);

    public static RecipeField Text(string path, Func<Recipe, string> get, Func<Recipe, string, Recipe> set) =>
        new(path, "a string", r => get(r), (r, v) => v.IsNull ? null : set(r, v.Text), omitWhenNull: false);

    /// <summary>A file path, made absolute against the directory of whatever supplied it.</summary>
    public static RecipeField FilePath(string path, Func<Recipe, string> get, Func<Recipe, string, Recipe> set) =>
        new(path, "a file path", r => get(r), (r, v) => v.IsNull ? null : set(r, v.FullPath), omitWhenNull: false);

    /// <summary>An optional file path, made absolute against the directory of whatever supplied it.</summary>
    public static RecipeField OptionalFilePath(
        string path, Func<Recipe, string?> get, Func<Recipe, string?, Recipe> set) =>
        new(path, "a file path or null", r => get(r), (r, v) => set(r, v.IsNull ? null : v.FullPath),
            omitWhenNull: false);

    /// <summary>An enum member, written as its snake_case name unless <paramref name="name"/> says otherwise.</summary>
    public static RecipeField Choice<TEnum>(
        string path, Func<Recipe, TEnum> get, Func<Recipe, TEnum, Recipe> set, Func<TEnum, string>? name = null)
        where TEnum : struct, Enum
    {
        name ??= e => SnakeCase(e);
        var byName = Enum.GetValues<TEnum>().ToDictionary(name, StringComparer.Ordinal);
        return new(path, $"one of {string.Join(", ", byName.Keys)}", r => name(get(r)),
            (r, v) => !v.IsNull && byName.TryGetValue(v.Text, out var x) ? set(r, x) : null, omitWhenNull: false);
    }

    /// <summary>
    /// Returns the recipe with this key set from <paramref name="value"/>, or null if the value has the wrong type.
    /// </summary>
    public Recipe? Bind(Recipe recipe, RecipeValue value) => _bind(recipe, value);

    /// <summary>Whether <paramref name="recipe"/> holds the same value here as <see cref="Recipe.Default"/>.</summary>
    public bool HasDefaultValue(Recipe recipe) => Equals(_get(recipe), _get(Recipe.Default));

    /// <summary>
    /// Writes this key and its value in <paramref name="recipe"/> as a JSON property; a null value is left out when <see cref="OmitWhenNull"/> unless
    /// <paramref name="writeNull"/>.
    /// </summary>
    public void Write(Utf8JsonWriter writer, Recipe recipe, bool writeNull = false)
    {
        switch (_get(recipe))
        {
            case null when OmitWhenNull && !writeNull:
                break;
            case null:
                writer.WriteNull(Key);
                break;
            case bool b:
                writer.WriteBoolean(Key, b);
                break;
            case int i:
                writer.WriteNumber(Key, i);
                break;
            case long l:
                writer.WriteNumber(Key, l);
                break;
            case double d:
                writer.WriteNumber(Key, d);
                break;
            case string s:
                writer.WriteString(Key, s);
                break;
            case Enum e:
                writer.WriteString(Key, SnakeCase(e));
                break;
            case var other:
                throw new InvalidOperationException($"{Path}: cannot write a {other.GetType().Name}");
        }
    }

    private static string SnakeCase(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
