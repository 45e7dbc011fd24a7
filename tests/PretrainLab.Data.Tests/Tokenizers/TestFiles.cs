namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>Paths of the files tests read: fixtures copied next to the test assembly, and the repository's samples.</summary>
internal static class TestFiles
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The repository root: the nearest folder above the test assembly holding PretrainLab.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string TinyShakespeare => Path.Combine(RepositoryRoot, "samples", "data", "tinyshakespeare.txt");

    public static string TinyStories => Path.Combine(RepositoryRoot, "samples", "data", "tinystories_head.txt");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PretrainLab.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No PretrainLab.slnx above {AppContext.BaseDirectory}.");
    }
}
