namespace PretrainLab.Engine.Training;

/// <summary>An <see cref="ITokenSequence"/> over bytes (byte-level tokens) or int ids held in memory.</summary>
public sealed class TokenArray : ITokenSequence
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ReadOnlyMemory<int> _ids;
    private readonly bool _isBytes;

    /// <summary>Byte-level tokens: each byte is its own id.</summary>
    public TokenArray(ReadOnlyMemory<byte> bytes)
    {
        _bytes = bytes;
        _isBytes = true;
    }

    /// <summary>Token ids.</summary>
    public TokenArray(ReadOnlyMemory<int> ids) => _ids = ids;

    /// <inheritdoc/>
    public long Count => _isBytes ? _bytes.Length : _ids.Length;

    /// <inheritdoc/>
    public void CopyTo(long start, Span<int> destination)
    {
        if (start < 0 || start + destination.Length > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"tokens [{start}, {start + destination.Length}) outside a sequence of {Count}");
        if (!_isBytes)
        {
            _ids.Span.Slice((int)start, destination.Length).CopyTo(destination);
            return;
        }

        var src = _bytes.Span.Slice((int)start, destination.Length);
        for (var i = 0; i < src.Length; i++)
            destination[i] = src[i];
    }
}
