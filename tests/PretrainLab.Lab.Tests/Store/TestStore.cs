using Npgsql;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Tests.Store;

/// <summary>
/// An empty store for one test: an SQLite file in a temporary folder, or a fresh schema in the PostgreSQL test
/// database (found through <c>PLAB_TEST_POSTGRES</c>), removed again on dispose.
/// </summary>
public sealed class TestStore : IDisposable
{
    public const string PostgresVariable = "PLAB_TEST_POSTGRES";

    private readonly string? _folder;
    private readonly string? _schema;

    public TestStore(StoreKind kind)
    {
        Kind = kind;
        if (kind == StoreKind.Sqlite)
        {
            _folder = Directory.CreateTempSubdirectory("plab-store-").FullName;
            Location = Path.Combine(_folder, "plab.db");
        }
        else
        {
            var server = PostgresConnectionString ?? throw new InvalidOperationException($"{PostgresVariable} is not set");
            _schema = $"t_{Guid.NewGuid():N}";
            AdminCommand(server, $"CREATE SCHEMA {_schema}");
            Location = new NpgsqlConnectionStringBuilder(server) { SearchPath = _schema }.ToString();
        }
    }

    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } s ? s : null;

    public StoreKind Kind { get; }

    /// <summary>What <see cref="LabStore.Open"/> takes to open this store.</summary>
    public string Location { get; }

    /// <summary>The temporary folder (SQLite only), for files a test writes beside the store.</summary>
    public string Folder => _folder ?? throw new InvalidOperationException("PostgreSQL stores have no folder");

    public ILabStore Open() => LabStore.Open(Location);

    /// <summary>Runs SQL on the store's database outside the store, to damage or inspect it.</summary>
    public void Sql(string sql)
    {
        if (Kind == StoreKind.Postgres)
        {
            AdminCommand(Location, sql);
            return;
        }
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Location};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (_folder is not null)
            Directory.Delete(_folder, recursive: true);
        if (_schema is not null)
            AdminCommand(PostgresConnectionString!, $"DROP SCHEMA {_schema} CASCADE");
    }

    private static void AdminCommand(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
