using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PretrainLab.Engine.Checkpoints;

/// <summary>
/// Builds a safetensors file: an 8-byte little-endian header length, a UTF-8 JSON header
/// (space-padded to a multiple of 8 bytes) mapping each tensor name to its dtype, shape and
/// data offsets, then the raw little-endian tensor data in the order the tensors were added.
/// </summary>
/// <remarks>
/// <see cref="Add(string, ReadOnlySpan{int}, ReadOnlySpan{float})"/> copies the data, so callers
/// may reuse their buffers. <see cref="Save"/> streams tensor by tensor and never materialises the
/// whole file in memory. Instances are not thread-safe.
/// </remarks>
public sealed class SafeTensorsWriter
{
    /// <summary>The reserved header key that holds the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    // Keeps each span handed to Stream.Write well below int.MaxValue bytes for any element type.
    private const int WriteChunkElements = 1 << 20;

    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>
    /// String metadata written under <c>"__metadata__"</c>, keys in ordinal order; omitted from the
    /// header when empty.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Number of tensors added so far.</summary>
    public int Count => _tensors.Count;

    /// <summary>Adds a tensor of dtype <c>F32</c>; the data is copied.</summary>
    /// <param name="name">Unique, non-empty tensor name other than <c>"__metadata__"</c>.</param>
    /// <param name="shape">Dimensions, each non-negative; an empty shape is a scalar (one element).</param>
    /// <param name="data">Row-major elements; the length must equal the product of <paramref name="shape"/>.</param>
    /// <exception cref="ArgumentException">The name is empty, reserved or already added, a dimension is
    /// negative, or the data length does not match the shape. The message names the tensor.</exception>
    public void Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> data) => AddCore(name, shape, data, "F32");

    /// <summary>Adds a tensor of dtype <c>I32</c>; the data is copied.</summary>
    /// <inheritdoc cref="Add(string, ReadOnlySpan{int}, ReadOnlySpan{float})" path="/param"/>
    /// <inheritdoc cref="Add(string, ReadOnlySpan{int}, ReadOnlySpan{float})" path="/exception"/>
    public void Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<int> data) => AddCore(name, shape, data, "I32");

    /// <summary>Adds a tensor of dtype <c>I64</c>; the data is copied.</summary>
    /// <inheritdoc cref="Add(string, ReadOnlySpan{int}, ReadOnlySpan{float})" path="/param"/>
    /// <inheritdoc cref="Add(string, ReadOnlySpan{int}, ReadOnlySpan{float})" path="/exception"/>
    public void Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<long> data) => AddCore(name, shape, data, "I64");

    /// <summary>
    /// Writes the file atomically: everything goes to <c>path + ".tmp"</c>, which is flushed to disk
    /// and then moved over <paramref name="path"/>, so a crash never leaves a half-written file at
    /// <paramref name="path"/>. The temporary file is deleted if writing fails.
    /// </summary>
    /// <exception cref="InvalidOperationException">A metadata value is null.</exception>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Tensor data is written in host byte order, which must be little-endian.");

        byte[] header = BuildHeader();
        string temporaryPath = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var tensor in _tensors)
                    tensor.WriteData(stream);
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

    private void AddCore<T>(string name, ReadOnlySpan<int> shape, ReadOnlySpan<T> data, string dtype)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == MetadataKey)
            throw new ArgumentException($"Tensor name '{MetadataKey}' is reserved for header metadata.", nameof(name));
        if (_names.Contains(name))
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));

        foreach (int dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Tensor '{name}' has negative dimension {dim} in shape {ShapeText(shape)}.", nameof(shape));
        }

        long elements = 1;
        foreach (int dim in shape)
        {
            // Stopping once past data.Length keeps the product below 2^62, so it cannot overflow.
            elements *= dim;
            if (elements > data.Length)
                break;
        }
        if (elements != data.Length)
            throw new ArgumentException(
                $"Tensor '{name}' has shape {ShapeText(shape)} but {data.Length} data elements; the element count must equal the product of the dimensions.",
                nameof(data));

        T[] copy = data.ToArray();
        _names.Add(name);
        _tensors.Add(new PendingTensor(name, dtype, shape.ToArray(), (long)copy.Length * Unsafe.SizeOf<T>(), stream => WriteElements(stream, copy)));
    }

    private static string ShapeText(ReadOnlySpan<int> shape) => $"[{string.Join(", ", shape.ToArray())}]";

    private byte[] BuildHeader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names like "a+b" readable; the output is still valid JSON.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in Metadata.OrderBy(entry => entry.Key, StringComparer.Ordinal))
                    json.WriteString(key, value ?? throw new InvalidOperationException($"Metadata value for key '{key}' is null."));
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var tensor in _tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (int dim in tensor.Shape)
                    json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.ByteLength;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }

        // The reference implementation pads with spaces so the data section starts 8-byte aligned.
        int padded = (buffer.WrittenCount + 7) & ~7;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteElements<T>(Stream stream, T[] data)
        where T : unmanaged
    {
        for (int start = 0; start < data.Length; start += WriteChunkElements)
        {
            int count = Math.Min(WriteChunkElements, data.Length - start);
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan(start, count)));
        }
    }

    private sealed record PendingTensor(string Name, string DType, int[] Shape, long ByteLength, Action<Stream> WriteData);
}
