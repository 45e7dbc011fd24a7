using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Numerics;
using System.Runtime.InteropServices;

namespace PretrainLab.Data.Shards;

/// <summary>
/// An llm.c / modded-nanogpt token shard: a header of 256 little-endian int32 (slot 0 the magic
/// 20240520, slot 1 the version 1, slot 2 the token count; the rest reserved), then the tokens as
/// little-endian uint16. An open shard is a read-only memory mapping of the file.
/// </summary>
/// <remarks>
/// Spans returned by <see cref="Slice"/> point into the mapping and must not be used after
/// <see cref="Dispose"/>. Reads are safe from several threads; disposal is not.
/// </remarks>
public sealed unsafe class TokenShard : IDisposable
{
    /// <summary>The value of header slot 0.</summary>
    public const int Magic = 20240520;

    /// <summary>The only supported value of header slot 1 (uint16 tokens).</summary>
    public const int Version = 1;

    /// <summary>Size of the header in bytes: 256 int32 slots.</summary>
    public const int HeaderBytes = 256 * sizeof(int);

    // Keeps each span handed to Stream.Write under int.MaxValue bytes.
    private const int WriteChunkTokens = 1 << 20;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private ushort* _tokens;

    private TokenShard(string path, MemoryMappedFile file, long count)
    {
        _file = file;
        _view = file.CreateViewAccessor(0, HeaderBytes + 2 * count, MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _tokens = (ushort*)(start + _view.PointerOffset + HeaderBytes);
        Path = path;
        Count = count;
    }

    /// <summary>Absolute path of the shard file.</summary>
    public string Path { get; }

    /// <summary>Number of tokens in the shard (header slot 2).</summary>
    public long Count { get; }

    /// <summary>The token at position <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public ushort this[long index]
    {
        get
        {
            ThrowIfDisposed();
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _tokens[index];
        }
    }

    /// <summary>
    /// Writes <paramref name="tokens"/> as a shard at <paramref name="path"/> atomically: the file is
    /// written to <c>path + ".tmp"</c>, flushed to disk, then moved over <paramref name="path"/>.
    /// The temporary file is deleted if writing fails.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public static void Write(string path, ReadOnlySpan<ushort> tokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireLittleEndian();

        Span<byte> header = stackalloc byte[HeaderBytes];
        header.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], tokens.Length);

        string temporaryPath = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                stream.Write(header);
                for (int start = 0; start < tokens.Length; start += WriteChunkTokens)
                    stream.Write(MemoryMarshal.AsBytes(tokens.Slice(start, Math.Min(WriteChunkTokens, tokens.Length - start))));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporaryPath, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporaryPath);
            throw;
        }
    }

    /// <summary>Validates the header of the shard at <paramref name="path"/> and maps it read-only.</summary>
    /// <exception cref="InvalidDataException">The file is shorter than the 1024-byte header, has the wrong
    /// magic, an unsupported version, a negative token count, or a size other than 1024 + 2 * count.
    /// The message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public static TokenShard Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireLittleEndian();

        string fullPath = System.IO.Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        MemoryMappedFile? file = null;
        try
        {
            long count = ReadHeader(stream, fullPath);
            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return new TokenShard(fullPath, file, count);
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies tokens [<paramref name="start"/>, <paramref name="start"/> + destination.Length),
    /// widened to int, into <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside [0, <see cref="Count"/>).</exception>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public void CopyTo(long start, Span<int> destination)
    {
        var source = Slice(start, destination.Length);
        var target = MemoryMarshal.Cast<int, uint>(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(source[i..]), out var low, out var high);
                low.CopyTo(target[i..]);
                high.CopyTo(target[(i + Vector<uint>.Count)..]);
            }
        }
        for (; i < source.Length; i++)
            target[i] = source[i];
    }

    /// <summary>
    /// The tokens [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) as a
    /// span over the mapping, valid until the shard is disposed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside [0, <see cref="Count"/>).</exception>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public ReadOnlySpan<ushort> Slice(long start, int length)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (start > Count - length)
            throw new ArgumentOutOfRangeException(nameof(length), $"Tokens [{start}, {start + length}) are outside shard '{Path}' of {Count} tokens.");
        return new ReadOnlySpan<ushort>(_tokens + start, length);
    }

    /// <summary>Unmaps and closes the file.</summary>
    public void Dispose()
    {
        if (_tokens == null)
            return;
        _tokens = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private static long ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < HeaderBytes)
            throw Invalid(path, $"the file is {fileLength} bytes, shorter than the {HeaderBytes}-byte header");

        Span<byte> header = stackalloc byte[3 * sizeof(int)];
        stream.ReadExactly(header);
        int magic = BinaryPrimitives.ReadInt32LittleEndian(header);
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (magic != Magic)
            throw Invalid(path, $"found magic {magic} in header slot 0, expected {Magic}");
        if (version != Version)
            throw Invalid(path, $"version {version} is not supported (expected {Version}: uint16 tokens)");
        if (count < 0)
            throw Invalid(path, $"the header's token count {count} is negative");

        long expectedLength = HeaderBytes + 2L * count;
        if (fileLength != expectedLength)
            throw Invalid(path, $"the file is {fileLength} bytes but a header count of {count} tokens needs {HeaderBytes} + 2 * {count} = {expectedLength} bytes");
        return count;
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Tokens are accessed in host byte order, which must be little-endian.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_tokens == null, this);

    private static InvalidDataException Invalid(string path, string problem) => new($"Invalid token shard '{path}': {problem}.");
}
