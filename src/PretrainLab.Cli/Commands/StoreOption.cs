using System.CommandLine;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Commands;

/// <summary>The <c>--store</c> option of the study and runs commands, and finding a study in the store.</summary>
internal static class StoreOption
{
    public static Option<string?> Create() => new("--store")
    {
        Description = $"The store: an SQLite file (default: ${LabStore.EnvironmentVariable}, else {LabStore.DefaultFileName} in this folder) or a postgres:// URI.",
    };

    /// <summary>The study named <paramref name="name"/>, or the store's only study when no name is given.</summary>
    public static StudyRecord FindStudy(ILabStore store, string? name)
    {
        if (name is not null)
            return store.FindStudy(name) ?? throw new UsageException($"no study named '{name}' in {store.Location}{Known(store)}");
        var studies = store.ListStudies();
        return studies.Count switch
        {
            1 => studies[0],
            0 => throw new UsageException($"no study in {store.Location}; create one with 'plab study new FILE'"),
            _ => throw new UsageException($"{studies.Count} studies in {store.Location}: name one{Known(store)}"),
        };
    }

    private static string Known(ILabStore store)
    {
        var names = store.ListStudies().Select(s => s.Name).ToList();
        return names.Count == 0 ? "" : $" (studies: {string.Join(", ", names)})";
    }
}
