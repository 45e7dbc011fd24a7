namespace PretrainLab.Lab.Recipes;

/// <summary>
/// Reads recipes from YAML or JSON (JSON is YAML), applies <c>dotted.path=value</c> overrides, and validates the
/// result, reporting every problem at once as a <see cref="RecipeException"/>.
/// </summary>
/// <remarks>
/// <para>Every key is checked: an unknown one is an error that suggests the closest valid key.</para>
/// <para>
/// Overrides such as <c>optim.lr=3e-4</c>, <c>schedule.kind=constant</c> or <c>data.val_path=null</c> are applied
/// in order before validation; the value is read as a YAML scalar. Because a recipe has exactly one budget,
/// an override that sets any <c>budget.*</c> key replaces the file's whole budget section:
/// <c>budget.tokens=1e6</c> on a recipe with <c>budget.steps</c> gives a token budget, not two budgets. Likewise a
/// file that sets any budget key replaces the default budget of 2000 steps.
/// </para>
/// <para>
/// Relative <c>data.path</c> and <c>data.val_path</c> are made absolute: those in the text against its base
/// directory (the recipe file's directory), those in overrides against the current directory.
/// </para>
/// </remarks>
public static class RecipeLoader
{
    /// <summary>Loads the recipe file at <paramref name="path"/>.</summary>
    /// <param name="path">A YAML or JSON recipe; its directory is the base for relative data paths.</param>
    /// <param name="overrides"><c>dotted.path=value</c> strings applied after the file, in order.</param>
    /// <param name="checkFiles">Whether the data files must exist.</param>
    /// <exception cref="RecipeException">The file is missing, malformed or invalid.</exception>
    public static Recipe Load(string path, IEnumerable<string>? overrides = null, bool checkFiles = true)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new RecipeException([new RecipeError("", $"recipe file not found: {fullPath}", path)]);
        return Parse(File.ReadAllText(fullPath), Path.GetDirectoryName(fullPath), overrides, path, checkFiles);
    }

    /// <summary>Parses recipe text.</summary>
    /// <param name="text">A YAML or JSON recipe; empty text is a recipe of defaults, which lacks <c>data.path</c>.</param>
    /// <param name="baseDirectory">The base for relative data paths in the text; null for the current directory.</param>
    /// <param name="overrides"><c>dotted.path=value</c> strings applied after the text, in order.</param>
    /// <param name="sourceName">How errors name the text, e.g. its file name.</param>
    /// <param name="checkFiles">
    /// Whether the data files must exist; false to read back a recipe stored with a checkpoint.
    /// </param>
    /// <exception cref="RecipeException">The text is malformed or the recipe invalid.</exception>
    public static Recipe Parse(
        string text,
        string? baseDirectory,
        IEnumerable<string>? overrides = null,
        string sourceName = "<recipe>",
        bool checkFiles = true)
    {
        var errors = new List<RecipeError>();
        var document = RecipeDocument.Read(text, sourceName, baseDirectory ?? Environment.CurrentDirectory, errors);
        if (document is null) throw new RecipeException(errors);

        document.ApplyOverrides(overrides ?? []);
        var recipe = document.Bind();
        // A key that could not be read kept its default, so a check on it or on its section would report a value
        // nobody wrote (an unreadable budget.steps would also read as "no budget set").
        var unread = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        bool IsAboutUnread(RecipeError e) =>
            unread.Contains(e.Path) || unread.Any(path => path.StartsWith($"{e.Path}.", StringComparison.Ordinal));
        errors.AddRange(RecipeValidator.Validate(recipe, checkFiles).Where(e => !IsAboutUnread(e)).Select(document.Locate));
        if (errors.Count > 0)
            throw new RecipeException(errors.OrderBy(e => e.Line ?? int.MaxValue).ToList());
        return recipe;
    }
}
