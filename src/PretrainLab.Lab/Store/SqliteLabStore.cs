using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PretrainLab.Lab.Store;

/// <summary>
/// The default store: one SQLite file in write-ahead-log mode, so readers (<c>plab study status</c>) never block
/// the lab and its workers, and writers from several processes wait for each other rather than fail.
/// </summary>
public sealed class SqliteLabStore : SqlLabStore
{
    // SQLite codes the messages name (https://sqlite.org/rescode.html).
    private const int Busy = 5;
    private const int ReadOnly = 8;
    private const int Corrupt = 11;
    private const int CannotOpen = 14;
    private const int NotADatabase = 26;

    static SqliteLabStore() => SQLitePCL.Batteries_V2.Init();

    private SqliteLabStore(SqliteConnection connection, string path)
        : base(connection, path)
    {
    }

    /// <inheritdoc/>
    protected override string IdColumnType => "INTEGER PRIMARY KEY";

    /// <inheritdoc/>
    protected override string RealType => "REAL";

    /// <inheritdoc/>
    protected override string ClusteredTableSuffix => " WITHOUT ROWID";

    /// <inheritdoc/>
    protected override int MetricRowsPerStatement => 1;

    // Write transactions begin IMMEDIATE, which already locks the whole database.
    /// <inheritdoc/>
    protected override string LockRowsSuffix => "";

    /// <summary>Opens (creating if needed) the store file at <paramref name="path"/> and migrates its schema.</summary>
    /// <exception cref="StoreException">The file is not a plab store, is damaged, newer, or cannot be opened.</exception>
    public static SqliteLabStore Open(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new StoreException($"{full} is a folder, not a store file");
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new StoreException($"cannot create the store {full}: the folder {folder} does not exist");

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Closing must release the file (tests delete it; a finished worker should hold nothing).
            Pooling = false,
            // Seconds a statement waits for another process's write lock before giving up.
            DefaultTimeout = 60,
        }.ToString());
        SqliteLabStore? store = null;
        try
        {
            connection.Open();
            store = new SqliteLabStore(connection, full);
            using (var pragma = connection.CreateCommand())
            {
                // WAL: readers never block the writer; NORMAL sync keeps every commit through a process kill.
                pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON";
                pragma.ExecuteNonQuery();
            }
            store.Migrate();
            return store;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Describe(full, e);
        }
        catch
        {
            if (store is null)
                connection.Dispose();
            else
                store.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override void LockForMigration(DbTransaction transaction)
    {
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> ListTables(DbTransaction transaction)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
            names.Add(reader.GetString(0));
        return names;
    }

    /// <inheritdoc/>
    protected override StoreException Translate(DbException error) =>
        error is SqliteException e ? Describe(Location, e) : new StoreException($"{Location}: {error.Message}", error);

    private static StoreException Describe(string path, SqliteException e) => e.SqliteErrorCode switch
    {
        NotADatabase => new StoreException($"{path} is not a plab store: the file is not an SQLite database", e),
        Corrupt => new StoreException($"{path} is damaged: SQLite reports the database disk image is malformed", e),
        CannotOpen => new StoreException($"cannot open the store {path}: {Reason(e)}", e),
        ReadOnly => new StoreException($"the store {path} is read-only: {Reason(e)}", e),
        Busy => new StoreException($"the store {path} stayed locked by another process: {Reason(e)}", e),
        _ => new StoreException($"{path}: {Reason(e)}", e),
    };

    // Microsoft.Data.Sqlite prefixes "SQLite Error N: "; the code is already in the sentence we write.
    private static string Reason(SqliteException e)
    {
        var message = e.Message;
        var colon = message.StartsWith("SQLite Error", StringComparison.Ordinal) ? message.IndexOf(": ", StringComparison.Ordinal) : -1;
        return (colon >= 0 ? message[(colon + 2)..] : message).Trim().TrimEnd('.');
    }
}
