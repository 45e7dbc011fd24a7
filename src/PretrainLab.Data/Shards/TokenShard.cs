using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Numerics;
using System.Runtime.InteropServices;

namespace PretrainLab.Data.Shards;

/// <summary>
/// An llm.c / modded-nanogpt token shard: a header of 256 little-endian int32 (slot 0 the magic
/// 20240520, slot 1 the version, slot 2 the token count; the rest reserved), then the tokens.
/// Version 1 (llm.c's) stores little-endian uint16 tokens; version 2, this project's extension for
/// vocabularies above 65,536 ids, stores little-endian uint32 tokens with the same header.
/// An open shard is a read-only memory mapping of the file.
/// </summary>
/// <remarks>
/// Spans returned by <see cref="Slice"/> point into the mapping and must not be used after
/// <see cref="Dispose"/>. Reads are safe from several threads; disposal is not.
/// </remarks>
public sealed unsafe class TokenShard : IDisposable
{
    /// <summary>The value of header slot 0.</summary>
    public const int Magic = 20240520;

    /// <summary>Header slot 1 of a shard of uint16 tokens (llm.c's format).</summary>
    public const int Version = 1;

    /// <summary>Header slot 1 of a shard of uint32 tokens, for ids above <see cref="ushort.MaxValue"/>.</summary>
    public const int WideVersion = 2;

    /// <summary>Size of the header in bytes: 256 int32 slots.</summary>
    public const int HeaderBytes = 256 * sizeof(int);

    // Keeps each span handed to Stream.Write under int.MaxValue bytes.
    private const int WriteChunkTokens = 1 << 20;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _tokens;

    private TokenShard(string path, MemoryMappedFile file, int version, long count)
    {
        _file = file;
        FormatVersion = version;
        BytesPerToken = BytesPerTokenOf(version);
        _view = file.CreateViewAccessor(0, HeaderBytes + BytesPerToken * count, MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _tokens = start + _view.PointerOffset + HeaderBytes;
        Path = path;
        Count = count;
    }

    /// <summary>Absolute path of the shard file.</summary>
    public string Path { get; }

    /// <summary>Number of tokens in the shard (header slot 2).</summary>
    public long Count { get; }

    /// <summary>The header's version: <see cref="Version"/> (uint16 tokens) or <see cref="WideVersion"/> (uint32).</summary>
    public int FormatVersion { get; }

    /// <summary>Bytes per stored token: 2 for version 1, 4 for version 2.</summary>
    public int BytesPerToken { get; }

    /// <summary>The token at position <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="Count"/>).</exception>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public uint this[long index]
    {
        get
        {
            ThrowIfDisposed();
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return BytesPerToken == 2 ? ((ushort*)_tokens)[index] : ((uint*)_tokens)[index];
        }
    }

    /// <summary>
    /// Writes <paramref name="tokens"/> as a version-1 shard at <paramref name="path"/> atomically: the
    /// file is written to <c>path + ".tmp"</c>, flushed to disk, then moved over <paramref name="path"/>.
    /// The temporary file is deleted if writing fails.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public static void Write(string path, ReadOnlySpan<ushort> tokens) => Write(path, tokens, Version);

    /// <summary>As <see cref="Write(string, ReadOnlySpan{ushort})"/>, as a version-2 shard of uint32 tokens.</summary>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public static void Write(string path, ReadOnlySpan<uint> tokens) => Write(path, tokens, WideVersion);

    /// <summary>
    /// The version a shard needs for token ids below <paramref name="vocabSize"/>: <see cref="Version"/>
    /// while every id fits uint16 (vocabSize ≤ 65,536), else <see cref="WideVersion"/>.
    /// </summary>
    public static int VersionFor(int vocabSize) => vocabSize <= ushort.MaxValue + 1 ? Version : WideVersion;

    /// <summary>Validates the header of the shard at <paramref name="path"/> and maps it read-only.</summary>
    /// <exception cref="InvalidDataException">The file is shorter than the 1024-byte header, has the wrong
    /// magic, an unsupported version, a negative token count, or a size other than 1024 + (2 or 4) * count.
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
            var (version, count) = ReadHeader(stream, fullPath);
            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return new TokenShard(fullPath, file, version, count);
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies tokens [<paramref name="start"/>, <paramref name="start"/> + destination.Length) into
    /// <paramref name="destination"/> as int (a version-2 id above <see cref="int.MaxValue"/> wraps negative;
    /// vocabularies that large are rejected long before).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside [0, <see cref="Count"/>).</exception>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public void CopyTo(long start, Span<int> destination)
    {
        CheckRange(start, destination.Length);
        var target = MemoryMarshal.Cast<int, uint>(destination);
        if (BytesPerToken == 4)
        {
            new ReadOnlySpan<uint>((uint*)_tokens + start, destination.Length).CopyTo(target);
            return;
        }

        var source = new ReadOnlySpan<ushort>((ushort*)_tokens + start, destination.Length);
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
    /// The tokens [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of a
    /// version-1 shard as a span over the mapping, valid until the shard is disposed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside [0, <see cref="Count"/>).</exception>
    /// <exception cref="InvalidOperationException">The shard is version 2 (uint32 tokens); use <see cref="CopyTo"/>.</exception>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public ReadOnlySpan<ushort> Slice(long start, int length)
    {
        CheckRange(start, length);
        if (BytesPerToken != 2)
            throw new InvalidOperationException($"Shard '{Path}' is version {FormatVersion} (uint32 tokens); Slice reads uint16 shards only.");
        return new ReadOnlySpan<ushort>((ushort*)_tokens + start, length);
    }

    /// <summary>The largest token id in the shard, or null when it holds no tokens: one vectorised pass over the mapping.</summary>
    /// <exception cref="ObjectDisposedException">The shard was disposed.</exception>
    public uint? MaxToken()
    {
        ThrowIfDisposed();
        if (Count == 0)
            return null;
        // Count fits an int (the header slot is an int32), so one span covers the shard.
        return BytesPerToken == 2
            ? Max(new ReadOnlySpan<ushort>(_tokens, (int)Count))
            : Max(new ReadOnlySpan<uint>(_tokens, (int)Count));
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

    /// <summary>The header bytes of a shard of <paramref name="count"/> tokens in format <paramref name="version"/>.</summary>
    internal static void WriteHeader(Span<byte> header, int version, int count)
    {
        header[..HeaderBytes].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], version);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], count);
    }

    /// <summary>2 for <see cref="Version"/>, 4 for <see cref="WideVersion"/>.</summary>
    internal static int BytesPerTokenOf(int version) => version == Version ? sizeof(ushort) : sizeof(uint);

    internal static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Tokens are accessed in host byte order, which must be little-endian.");
    }

    private static void Write<T>(string path, ReadOnlySpan<T> tokens, int version)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireLittleEndian();

        Span<byte> header = stackalloc byte[HeaderBytes];
        WriteHeader(header, version, tokens.Length);
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

    private static T Max<T>(ReadOnlySpan<T> values)
        where T : unmanaged, INumber<T>
    {
        T max = T.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            var lanes = Vector<T>.Zero;
            for (; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
                lanes = Vector.Max(lanes, new Vector<T>(values[i..]));
            for (int lane = 0; lane < Vector<T>.Count; lane++)
                max = T.Max(max, lanes[lane]);
        }
        for (; i < values.Length; i++)
            max = T.Max(max, values[i]);
        return max;
    }

    private static (int Version, long Count) ReadHeader(FileStream stream, string path)
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
        if (version is not (Version or WideVersion))
            throw Invalid(path, $"version {version} is not supported (expected {Version}: uint16 tokens, or {WideVersion}: uint32 tokens)");
        if (count < 0)
            throw Invalid(path, $"the header's token count {count} is negative");

        int width = BytesPerTokenOf(version);
        long expectedLength = HeaderBytes + (long)width * count;
        if (fileLength != expectedLength)
            throw Invalid(path, $"the file is {fileLength} bytes but a header count of {count} tokens at version {version} needs {HeaderBytes} + {width} * {count} = {expectedLength} bytes");
        return (version, count);
    }

    private void CheckRange(long start, int length)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (start > Count - length)
            throw new ArgumentOutOfRangeException(nameof(length), $"Tokens [{start}, {start + length}) are outside shard '{Path}' of {Count} tokens.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_tokens == null, this);

    private static InvalidDataException Invalid(string path, string problem) => new($"Invalid token shard '{path}': {problem}.");
}
