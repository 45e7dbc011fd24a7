using System.Reflection;
using Xunit.Sdk;

namespace PretrainLab.Lab.Tests.Store;

/// <summary>
/// Supplies the PostgreSQL case of a store theory, or marks it skipped, saying why, when no server is configured.
/// </summary>
public sealed class PostgresStoreAttribute : DataAttribute
{
    public PostgresStoreAttribute()
    {
        if (TestStore.PostgresConnectionString is null)
            Skip = $"{TestStore.PostgresVariable} is not set: no PostgreSQL server to test against (.ci/run starts one and sets it)";
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StoreKind.Postgres]];
}
