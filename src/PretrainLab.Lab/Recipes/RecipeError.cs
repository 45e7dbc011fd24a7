namespace PretrainLab.Lab.Recipes;

/// <summary>One problem with a recipe, located as precisely as its source allows.</summary>
/// <param name="Path">The dotted key the problem is about (<c>model.n_embd</c>); empty when it is about the whole text.</param>
/// <param name="Message">What is wrong, e.g. <c>must be &gt; 0, got -1</c>.</param>
/// <param name="Source">Where the offending value came from: the recipe file name, or <c>override</c>; null when unknown.</param>
/// <param name="Line">The 1-based line in <paramref name="Source"/>, when known.</param>
public sealed record RecipeError(string Path, string Message, string? Source = null, int? Line = null)
{
    /// <summary>The one-line form <c>source:line: path: message</c>, leaving out the parts that are unknown.</summary>
    public override string ToString()
    {
        var location = (Source, Line) switch
        {
            (null, _) => "",
            (_, null) => $"{Source}: ",
            _ => $"{Source}:{Line}: ",
        };
        return Path.Length == 0 ? $"{location}{Message}" : $"{location}{Path}: {Message}";
    }
}
