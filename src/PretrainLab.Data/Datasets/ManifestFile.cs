using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace PretrainLab.Data.Datasets;

/// <summary>A file of a dataset folder with its size and content hash.</summary>
public sealed record ManifestFile
{
    /// <summary>Path relative to the dataset folder, '/'-separated.</summary>
    [JsonPropertyName("path")]
    public required string Path { get; init; }

    /// <summary>Size in bytes.</summary>
    [JsonPropertyName("bytes")]
    public required long Bytes { get; init; }

    /// <summary>Lowercase hex SHA-256 of the contents.</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    /// <summary>Describes the file at <paramref name="relativePath"/> under <paramref name="directory"/>.</summary>
    public static ManifestFile Describe(string directory, string relativePath)
    {
        string full = System.IO.Path.Combine(directory, relativePath);
        return new ManifestFile { Path = relativePath.Replace('\\', '/'), Bytes = new FileInfo(full).Length, Sha256 = Sha256Of(full) };
    }

    /// <summary>Lowercase hex SHA-256 of the file at <paramref name="path"/>.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
