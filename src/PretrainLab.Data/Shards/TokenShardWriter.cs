using System.Runtime.InteropServices;

namespace PretrainLab.Data.Shards;

/// <summary>
/// Writes a <see cref="TokenShard"/> whose length is not known up front: tokens are appended in
/// pieces to <c>path + ".tmp"</c>, and <see cref="Complete"/> fills in the header's count, flushes
/// the file to disk and moves it over the final path. Disposing an incomplete writer deletes the
/// temporary file, so a shard file either is whole or does not exist.
/// </summary>
public sealed class TokenShardWriter : IDisposable
{
    private const int BufferTokens = 1 << 15;

    private readonly string _path;
    private readonly string _temporaryPath;
    private readonly FileStream _stream;
    private readonly byte[] _buffer;
    private readonly int _bytesPerToken;
    private readonly uint _maxToken;
    private bool _done;

    /// <summary>Starts a shard at <paramref name="path"/> in format <paramref name="version"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not <see cref="TokenShard.Version"/> or <see cref="TokenShard.WideVersion"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">The process runs on a big-endian machine.</exception>
    public TokenShardWriter(string path, int version)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (version is not (TokenShard.Version or TokenShard.WideVersion))
            throw new ArgumentOutOfRangeException(nameof(version), version, $"Shard versions are {TokenShard.Version} (uint16) and {TokenShard.WideVersion} (uint32).");
        TokenShard.RequireLittleEndian();
        _path = path;
        _temporaryPath = path + ".tmp";
        Version = version;
        _bytesPerToken = TokenShard.BytesPerTokenOf(version);
        _maxToken = version == TokenShard.Version ? ushort.MaxValue : uint.MaxValue;
        _buffer = new byte[BufferTokens * _bytesPerToken];
        _stream = new FileStream(_temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        // The count is patched in by Complete.
        _stream.Write(new byte[TokenShard.HeaderBytes]);
    }

    /// <summary>The shard's format version.</summary>
    public int Version { get; }

    /// <summary>Tokens appended so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends <paramref name="tokens"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is negative or does not fit the version's width; nothing of the call is written.</exception>
    /// <exception cref="InvalidOperationException">The shard would exceed <see cref="int.MaxValue"/> tokens.</exception>
    /// <exception cref="ObjectDisposedException">The writer is complete or disposed.</exception>
    public void Append(ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (Count + tokens.Length > int.MaxValue)
            throw new InvalidOperationException($"Shard '{_path}' would exceed {int.MaxValue} tokens, the most its header can count.");
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] > _maxToken)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[i], $"Token {tokens[i]} at position {i} does not fit a version-{Version} shard.");
        }

        for (int start = 0; start < tokens.Length; start += BufferTokens)
        {
            var chunk = tokens.Slice(start, Math.Min(BufferTokens, tokens.Length - start));
            if (_bytesPerToken == 4)
            {
                _stream.Write(MemoryMarshal.AsBytes(chunk));
                continue;
            }
            var narrow = MemoryMarshal.Cast<byte, ushort>(_buffer.AsSpan(0, 2 * chunk.Length));
            for (int i = 0; i < chunk.Length; i++)
                narrow[i] = (ushort)chunk[i];
            _stream.Write(_buffer, 0, 2 * chunk.Length);
        }
        Count += tokens.Length;
    }

    /// <summary>Writes the header, flushes to disk and moves the file into place.</summary>
    /// <exception cref="ObjectDisposedException">The writer is already complete or disposed.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Span<byte> header = stackalloc byte[TokenShard.HeaderBytes];
        TokenShard.WriteHeader(header, Version, (int)Count);
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _done = true;
        try
        {
            File.Move(_temporaryPath, _path, overwrite: true);
        }
        catch
        {
            File.Delete(_temporaryPath);
            throw;
        }
    }

    /// <summary>Closes the file; an incomplete shard's temporary file is deleted.</summary>
    public void Dispose()
    {
        if (_done)
            return;
        _done = true;
        _stream.Dispose();
        File.Delete(_temporaryPath);
    }
}
