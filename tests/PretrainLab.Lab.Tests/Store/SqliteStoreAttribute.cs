using System.Reflection;
using Xunit.Sdk;

namespace PretrainLab.Lab.Tests.Store;

/// <summary>Supplies the SQLite case of a store theory (see <see cref="PostgresStoreAttribute"/> for the other).</summary>
public sealed class SqliteStoreAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StoreKind.Sqlite]];
}
