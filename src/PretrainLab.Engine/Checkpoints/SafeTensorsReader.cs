using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace PretrainLab.Engine.Checkpoints;

/// <summary>
/// Reads a safetensors file. <see cref="Open"/> reads and validates only the header; tensor data is
/// read from the file on demand, so memory use is bounded by what the caller asks for.
/// </summary>
/// <remarks>
/// Reads use positional file I/O, so concurrent reads of different tensors from one reader are safe.
/// Any file content that breaks the format surfaces as <see cref="InvalidDataException"/> naming the
/// file and the problem.
/// </remarks>
public sealed class SafeTensorsReader : IDisposable
{
    /// <summary>Largest accepted JSON header, in bytes (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int ConvertChunkBytes = 1 << 20;

    // Bounds each raw read to well under int.MaxValue bytes whatever the element size.
    private const int RawChunkElements = 1 << 26;

    // Every dtype of the safetensors specification with a whole-byte element size. Knowing them all
    // lets the header of any standard file be validated even where this reader cannot convert the data.
    private static readonly FrozenDictionary<string, int> ElementSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["BOOL"] = 1,
        ["U8"] = 1,
        ["I8"] = 1,
        ["F8_E5M2"] = 1,
        ["F8_E4M3"] = 1,
        ["I16"] = 2,
        ["U16"] = 2,
        ["F16"] = 2,
        ["BF16"] = 2,
        ["I32"] = 4,
        ["U32"] = 4,
        ["F32"] = 4,
        ["I64"] = 8,
        ["U64"] = 8,
        ["F64"] = 8,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, SafeTensorInfo> _tensors;

    private SafeTensorsReader(string path, SafeFileHandle handle, Dictionary<string, string> metadata, Dictionary<string, SafeTensorInfo> tensors)
    {
        Path = path;
        _handle = handle;
        _tensors = tensors;
        Metadata = metadata.AsReadOnly();
        Tensors = tensors.AsReadOnly();
    }

    private delegate void ChunkConverter<T>(ReadOnlySpan<byte> source, Span<T> destination);

    /// <summary>Absolute path of the file.</summary>
    public string Path { get; }

    /// <summary>The header's <c>"__metadata__"</c> map; empty when the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor in the header, by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>Opens <paramref name="path"/> and validates its header against the file's size.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file: too short,
    /// header length beyond the file or above <see cref="MaxHeaderBytes"/>, header not UTF-8 JSON object,
    /// a tensor entry missing or with malformed <c>dtype</c>/<c>shape</c>/<c>data_offsets</c>, unknown dtype,
    /// negative dimension, offsets outside the data section, byte length not matching shape and dtype,
    /// overlapping tensors, or duplicate names. The message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public static SafeTensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Tensor data is read in host byte order, which must be little-endian.");

        string fullPath = System.IO.Path.GetFullPath(path);
        var handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var (metadata, tensors) = ParseHeader(handle, fullPath);
            return new SafeTensorsReader(fullPath, handle, metadata, tensors);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/> as 32-bit floats.
    /// Accepts dtypes F32 (copied as is), F64 (narrowed), F16 and BF16 (widened exactly).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message names it and the file.</exception>
    /// <exception cref="ArgumentException">The destination length differs from the element count.</exception>
    /// <exception cref="InvalidDataException">The tensor's dtype is not one of the accepted ones, or the file
    /// was truncated after it was opened.</exception>
    public void ReadFloat32(string name, Span<float> destination)
    {
        var info = GetTensor(name);
        RequireDestinationLength(info, destination.Length);
        switch (info.DType)
        {
            case "F32":
                ReadRaw(info, destination);
                break;
            case "F64":
                ReadConverted(info, destination, static (source, target) =>
                {
                    var values = MemoryMarshal.Cast<byte, double>(source);
                    for (int i = 0; i < target.Length; i++)
                        target[i] = (float)values[i];
                });
                break;
            case "F16":
                ReadConverted(info, destination, static (source, target) =>
                {
                    var values = MemoryMarshal.Cast<byte, Half>(source);
                    for (int i = 0; i < target.Length; i++)
                        target[i] = (float)values[i];
                });
                break;
            case "BF16":
                ReadConverted(info, destination, static (source, target) =>
                {
                    // bfloat16 is the upper half of a float32, so widening is a shift.
                    var values = MemoryMarshal.Cast<byte, ushort>(source);
                    for (int i = 0; i < target.Length; i++)
                        target[i] = BitConverter.Int32BitsToSingle(values[i] << 16);
                });
                break;
            default:
                throw UnsupportedDType(info, nameof(ReadFloat32), "F32, F64, F16, BF16");
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new array of 32-bit floats.</summary>
    /// <inheritdoc cref="ReadFloat32(string, Span{float})" path="/exception"/>
    /// <exception cref="NotSupportedException">The tensor has more elements than an array can hold.</exception>
    public float[] ReadFloat32(string name)
    {
        var result = new float[ArrayLength(GetTensor(name))];
        ReadFloat32(name, result);
        return result;
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/> as 64-bit integers.
    /// Accepts dtypes I64 (copied as is) and I32 (widened).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message names it and the file.</exception>
    /// <exception cref="ArgumentException">The destination length differs from the element count.</exception>
    /// <exception cref="InvalidDataException">The tensor's dtype is not I64 or I32, or the file was
    /// truncated after it was opened.</exception>
    public void ReadInt64(string name, Span<long> destination)
    {
        var info = GetTensor(name);
        RequireDestinationLength(info, destination.Length);
        switch (info.DType)
        {
            case "I64":
                ReadRaw(info, destination);
                break;
            case "I32":
                ReadConverted(info, destination, static (source, target) =>
                {
                    var values = MemoryMarshal.Cast<byte, int>(source);
                    for (int i = 0; i < target.Length; i++)
                        target[i] = values[i];
                });
                break;
            default:
                throw UnsupportedDType(info, nameof(ReadInt64), "I64, I32");
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new array of 64-bit integers.</summary>
    /// <inheritdoc cref="ReadInt64(string, Span{long})" path="/exception"/>
    /// <exception cref="NotSupportedException">The tensor has more elements than an array can hold.</exception>
    public long[] ReadInt64(string name)
    {
        var result = new long[ArrayLength(GetTensor(name))];
        ReadInt64(name, result);
        return result;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();

    private SafeTensorInfo GetTensor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return _tensors.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"Tensor '{name}' is not in safetensors file '{Path}'.");
    }

    private static void RequireDestinationLength(SafeTensorInfo info, int length)
    {
        if (length != info.ElementCount)
            throw new ArgumentException($"Tensor '{info.Name}' has {info.ElementCount} elements but the destination holds {length}.", "destination");
    }

    private static int ArrayLength(SafeTensorInfo info) => info.ElementCount <= Array.MaxLength
        ? (int)info.ElementCount
        : throw new NotSupportedException($"Tensor '{info.Name}' has {info.ElementCount} elements, more than one array can hold; read it into spans instead.");

    private InvalidDataException UnsupportedDType(SafeTensorInfo info, string method, string accepted) =>
        Invalid(Path, $"tensor '{info.Name}' has dtype {info.DType}; {method} accepts {accepted}");

    private void ReadRaw<T>(SafeTensorInfo info, Span<T> destination)
        where T : unmanaged
    {
        for (int start = 0; start < destination.Length; start += RawChunkElements)
        {
            int count = Math.Min(RawChunkElements, destination.Length - start);
            ReadExactly(_handle, Path, info.FileOffset + (long)start * info.ElementSize, MemoryMarshal.AsBytes(destination.Slice(start, count)));
        }
    }

    private void ReadConverted<T>(SafeTensorInfo info, Span<T> destination, ChunkConverter<T> convert)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ConvertChunkBytes);
        try
        {
            int perChunk = ConvertChunkBytes / info.ElementSize;
            for (int start = 0; start < destination.Length; start += perChunk)
            {
                int count = Math.Min(perChunk, destination.Length - start);
                var bytes = buffer.AsSpan(0, count * info.ElementSize);
                ReadExactly(_handle, Path, info.FileOffset + (long)start * info.ElementSize, bytes);
                convert(bytes, destination.Slice(start, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadExactly(SafeFileHandle handle, string path, long offset, Span<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (read == 0)
                throw Invalid(path, $"unexpected end of file at byte {offset + done}; the file shrank after it was opened");
            done += read;
        }
    }

    private static (Dictionary<string, string> Metadata, Dictionary<string, SafeTensorInfo> Tensors) ParseHeader(SafeFileHandle handle, string path)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw Invalid(path, $"the file is {fileLength} bytes, shorter than the 8-byte header length prefix");

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(handle, path, 0, prefix);
        ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declaredLength > MaxHeaderBytes)
            throw Invalid(path, $"header length {declaredLength} exceeds the {MaxHeaderBytes}-byte limit");
        int headerLength = (int)declaredLength;
        if (8 + headerLength > fileLength)
            throw Invalid(path, $"header length {headerLength} extends past the end of the {fileLength}-byte file");

        byte[] header = new byte[headerLength];
        ReadExactly(handle, path, 8, header);
        // Checked up front because JsonDocument defers some UTF-8 validation to string access.
        if (!Utf8.IsValid(header))
            throw Invalid(path, "the header is not valid UTF-8");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(path, $"the header is a JSON {root.ValueKind}, not an object");

            long dataStart = 8L + headerLength;
            long dataLength = fileLength - dataStart;
            Dictionary<string, string>? metadata = null;
            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == SafeTensorsWriter.MetadataKey)
                {
                    if (metadata is not null)
                        throw Invalid(path, $"the header has more than one \"{SafeTensorsWriter.MetadataKey}\" entry");
                    metadata = ParseMetadata(path, property.Value);
                }
                else
                {
                    var info = ParseTensor(path, property.Name, property.Value, dataStart, dataLength);
                    if (!tensors.TryAdd(info.Name, info))
                        throw Invalid(path, $"tensor '{info.Name}' appears more than once in the header");
                }
            }

            RejectOverlaps(path, tensors.Values);
            return (metadata ?? new Dictionary<string, string>(StringComparer.Ordinal), tensors);
        }
    }

    private static Dictionary<string, string> ParseMetadata(string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"\"{SafeTensorsWriter.MetadataKey}\" is a JSON {element.ValueKind}, not an object");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"metadata value for key '{entry.Name}' is a JSON {entry.Value.ValueKind}, not a string");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw Invalid(path, $"metadata key '{entry.Name}' appears more than once");
        }
        return metadata;
    }

    private static SafeTensorInfo ParseTensor(string path, string name, JsonElement entry, long dataStart, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"tensor '{name}' entry is a JSON {entry.ValueKind}, not an object");

        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{name}' has no string \"dtype\"");
        string dtype = dtypeElement.GetString()!;
        if (!ElementSizes.TryGetValue(dtype, out int elementSize))
            throw Invalid(path, $"tensor '{name}' has unknown dtype '{dtype}'");

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{name}' has no \"shape\" array");
        var shape = new int[shapeElement.GetArrayLength()];
        long elementCount = 1;
        int axis = 0;
        foreach (var dimElement in shapeElement.EnumerateArray())
        {
            if (dimElement.ValueKind != JsonValueKind.Number || !dimElement.TryGetInt64(out long dim))
                throw Invalid(path, $"tensor '{name}' has non-integer dimension {dimElement.GetRawText()} in \"shape\"");
            if (dim < 0)
                throw Invalid(path, $"tensor '{name}' has negative dimension {dim} in \"shape\"");
            if (dim > int.MaxValue)
                throw Invalid(path, $"tensor '{name}' has dimension {dim}, above the supported maximum {int.MaxValue}");
            shape[axis++] = (int)dim;
            // Saturates instead of overflowing; a saturated count can never match the byte range below.
            elementCount = elementCount > 0 && dim > long.MaxValue / elementCount ? long.MaxValue : elementCount * dim;
        }

        if (!entry.TryGetProperty("data_offsets", out var offsetsElement)
            || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2
            || !TryGetNonNegative(offsetsElement[0], out long begin)
            || !TryGetNonNegative(offsetsElement[1], out long end))
            throw Invalid(path, $"tensor '{name}' has no \"data_offsets\" array of two non-negative integers");
        if (begin > end)
            throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] with begin after end");
        if (end > dataLength)
            throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] beyond the {dataLength}-byte data section (file truncated?)");

        long expectedBytes = elementCount > long.MaxValue / elementSize ? long.MaxValue : elementCount * elementSize;
        if (end - begin != expectedBytes)
        {
            string needed = expectedBytes == long.MaxValue ? "more bytes than a file can hold" : $"{expectedBytes}";
            throw Invalid(path, $"tensor '{name}' has {end - begin} data bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {needed}");
        }

        return new SafeTensorInfo(name, dtype, elementSize, shape, elementCount, begin, end, dataStart + begin);
    }

    private static bool TryGetNonNegative(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0;
    }

    private static void RejectOverlaps(string path, IEnumerable<SafeTensorInfo> tensors)
    {
        SafeTensorInfo? furthest = null;
        foreach (var tensor in tensors.OrderBy(t => t.DataBegin).ThenBy(t => t.DataEnd))
        {
            if (furthest is not null && tensor.DataBegin < furthest.DataEnd)
                throw Invalid(path, $"tensors '{furthest.Name}' [{furthest.DataBegin}, {furthest.DataEnd}] and '{tensor.Name}' [{tensor.DataBegin}, {tensor.DataEnd}] overlap");
            if (furthest is null || tensor.DataEnd > furthest.DataEnd)
                furthest = tensor;
        }
    }

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"Invalid safetensors file '{path}': {problem}.", inner);
}
