namespace PretrainLab.Lab.Tests.Store;

/// <summary>The databases every store test runs against.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}
