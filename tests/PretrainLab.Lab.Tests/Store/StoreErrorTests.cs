using Npgsql;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Tests.Store;

public sealed class StoreErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plab-store-err-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFileThatIsNotSqliteIsNamed()
    {
        var path = Path.Combine(_dir, "plab.db");
        File.WriteAllText(path, new string('x', 5000));
        var e = Assert.Throws<StoreException>(() => LabStore.Open(path));
        Assert.Equal($"{path} is not a plab store: the file is not an SQLite database", e.Message);
    }

    [Fact]
    public void ADamagedStoreIsNamed()
    {
        var path = Path.Combine(_dir, "plab.db");
        LabStore.Open(path).Dispose();
        // Keep SQLite's header, overwrite the pages behind it.
        var bytes = File.ReadAllBytes(path);
        for (var i = 100; i < bytes.Length; i++)
            bytes[i] = 0xA5;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<StoreException>(() => LabStore.Open(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("malformed", e.Message);
    }

    [Fact]
    public void AMissingFolderIsNamed()
    {
        var path = Path.Combine(_dir, "nowhere", "plab.db");
        var e = Assert.Throws<StoreException>(() => LabStore.Open(path));
        Assert.Contains("the folder", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void TheDefaultStoreIsPlabDbInTheWorkingFolderAndPathsAreMadeAbsolute()
    {
        var previous = Environment.GetEnvironmentVariable(LabStore.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(LabStore.EnvironmentVariable, null);
            Assert.Equal(Path.GetFullPath("plab.db"), LabStore.Resolve(null));
            Assert.Equal(Path.GetFullPath("x.db"), LabStore.Resolve("sqlite:x.db"));
            Assert.Equal("postgres://u@h/db", LabStore.Resolve("postgres://u@h/db"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(LabStore.EnvironmentVariable, previous);
        }
    }

    [Fact]
    public void APostgresServerThatIsDownGivesAClearError()
    {
        // Port 9 (discard) has no PostgreSQL on loopback.
        var e = Assert.Throws<StoreException>(() => LabStore.Open("postgres://plab:secret@127.0.0.1:9/plab"));
        Assert.StartsWith("cannot connect to PostgreSQL at postgres://plab@127.0.0.1:9/plab:", e.Message);
        Assert.Contains("is the server running", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void AMalformedConnectionStringIsNamed()
    {
        var e = Assert.Throws<StoreException>(() => LabStore.Open("Host=127.0.0.1;Bogus Key=1"));
        Assert.StartsWith("invalid PostgreSQL connection string:", e.Message);
    }

    [Theory, PostgresStore]
    public void AWrongPasswordIsRefusedClearly(StoreKind kind)
    {
        Assert.Equal(StoreKind.Postgres, kind);
        var wrong = new NpgsqlConnectionStringBuilder(TestStore.PostgresConnectionString) { Password = "wrong-password" }.ToString();
        var e = Assert.Throws<StoreException>(() => LabStore.Open(wrong));
        Assert.Contains("refused the login", e.Message);
        Assert.DoesNotContain("wrong-password", e.Message);
    }
}
