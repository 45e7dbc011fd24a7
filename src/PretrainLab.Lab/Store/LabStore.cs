namespace PretrainLab.Lab.Store;

/// <summary>Opens the store a user names: a PostgreSQL connection string, or else an SQLite file.</summary>
public static class LabStore
{
    /// <summary>The SQLite file used when no store is named, in the working folder.</summary>
    public const string DefaultFileName = "plab.db";

    /// <summary>The environment variable that names the store when no option does.</summary>
    public const string EnvironmentVariable = "PLAB_STORE";

    /// <summary>
    /// Opens <paramref name="location"/>: a <c>postgres://</c> URI or Npgsql keyword string for PostgreSQL, a file path
    /// (optionally prefixed <c>sqlite:</c>) for SQLite; when null or empty, <c>PLAB_STORE</c>, or else
    /// <see cref="DefaultFileName"/> in the current folder.
    /// </summary>
    /// <exception cref="StoreException">The store cannot be opened or is not a plab store.</exception>
    public static ILabStore Open(string? location)
    {
        location = Resolve(location);
        return PostgresLabStore.IsConnectionString(location) ? PostgresLabStore.Open(location) : SqliteLabStore.Open(location);
    }

    /// <summary>
    /// The store <paramref name="location"/> stands for, made absolute when it is a file, so a worker process started
    /// in another folder opens the same store.
    /// </summary>
    public static string Resolve(string? location)
    {
        if (string.IsNullOrWhiteSpace(location))
            location = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(location))
            location = DefaultFileName;
        if (PostgresLabStore.IsConnectionString(location))
            return location;
        var path = location.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? location["sqlite:".Length..] : location;
        return Path.GetFullPath(path);
    }
}
