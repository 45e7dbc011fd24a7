using System.Buffers.Binary;
using System.Text;

namespace PretrainLab.Engine.Tests.Checkpoints;

/// <summary>Assembles safetensors bytes by hand, independently of the writer under test.</summary>
public static class RawSafeTensors
{
    /// <summary>Length prefix, the header exactly as given (no padding), then <paramref name="data"/>.</summary>
    public static byte[] Build(string headerJson, byte[] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }
}
