namespace PretrainLab.Lab.Store;

/// <summary>
/// One versioned step of the store's schema. The SQL is shared by SQLite and PostgreSQL, with tokens for the few
/// types they spell differently: <c>{id}</c> (an auto-numbered primary key), <c>{real}</c> (a double) and
/// <c>{without_rowid}</c> (SQLite's clustered table option).
/// </summary>
/// <param name="Version">The schema version it brings the store to; versions start at 1 and have no gaps.</param>
/// <param name="Description">What it changes.</param>
/// <param name="Sql">Statements separated by semicolons.</param>
public sealed record StoreMigration(int Version, string Description, string Sql);
