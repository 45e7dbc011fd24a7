using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

/// <summary>A temporary directory holding a small corpus and shards, for recipes to point at.</summary>
public sealed class RecipeFiles : IDisposable
{
    public RecipeFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("plab-recipes-").FullName;
        Corpus = Write("corpus.txt", "First Citizen:\nBefore we proceed any further, hear me speak.\n");
        TrainShard = Write("train.bin", "shard");
        ValShard = Write("val.bin", "shard");
    }

    public string Directory { get; }

    public string Corpus { get; }

    public string TrainShard { get; }

    public string ValShard { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Parses <paramref name="yaml"/> as if it were a file in <see cref="Directory"/>.</summary>
    public Recipe Parse(string yaml, params string[] overrides) =>
        RecipeLoader.Parse(yaml, Directory, overrides, "test.yaml");

    /// <summary>The errors from parsing <paramref name="yaml"/>, which must fail.</summary>
    public IReadOnlyList<RecipeError> Errors(string yaml, params string[] overrides) =>
        Assert.Throws<RecipeException>(() => Parse(yaml, overrides)).Errors;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
