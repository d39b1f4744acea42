using System.Buffers.Binary;

namespace Sfu.Core.Tcp;

/// <summary>
/// Cuts a TCP byte stream into the datagrams it carries (RFC 4571 §2, as ICE-TCP uses it,
/// RFC 6544 §3): each is preceded by its length as a 16-bit big-endian number.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             LENGTH            |  STUN / DTLS / SRTP / SRTCP ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The buffer is fixed: a peer cannot make it grow. A length above
/// <see cref="MaxFrameLength"/>, or zero, means the stream is not a WebRTC peer's (or is out
/// of step), and the connection should be closed: there is no way to find the next frame.
/// Not thread-safe: one reader per connection, used by its read loop.
/// </summary>
public sealed class TcpFrameReader
{
    /// <summary>The length prefix (RFC 4571 §2).</summary>
    public const int HeaderLength = 2;

    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    /// <param name="buffer">Where bytes are read into; holds at least one whole largest frame.</param>
    /// <param name="maxFrameLength">The largest datagram accepted.</param>
    public TcpFrameReader(byte[] buffer, int maxFrameLength)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, HeaderLength + maxFrameLength, nameof(buffer));
        _buffer = buffer;
        MaxFrameLength = maxFrameLength;
    }

    public int MaxFrameLength { get; }

    /// <summary>Bytes received and not yet returned as frames.</summary>
    public int Buffered => _end - _start;

    /// <summary>
    /// Free space to receive into. Moves the partial frame left over to the front first, so a
    /// frame returned earlier must not be used after this call.
    /// </summary>
    public Memory<byte> GetWritable()
    {
        if (_start > 0)
        {
            int pending = _end - _start;
            if (pending > 0)
            {
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            }

            _start = 0;
            _end = pending;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were received into <see cref="GetWritable"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>
    /// Takes the next whole frame off the stream; <paramref name="frame"/> is valid until the
    /// next <see cref="GetWritable"/>. On <see cref="TcpFrameResult.EmptyFrame"/> or
    /// <see cref="TcpFrameResult.TooLong"/> nothing is consumed: the stream is unusable.
    /// </summary>
    public TcpFrameResult TryRead(out Span<byte> frame)
    {
        frame = default;
        int available = _end - _start;
        if (available < HeaderLength)
        {
            return TcpFrameResult.NeedMore;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start, HeaderLength));
        if (length == 0)
        {
            return TcpFrameResult.EmptyFrame;
        }

        if (length > MaxFrameLength)
        {
            return TcpFrameResult.TooLong;
        }

        if (available < HeaderLength + length)
        {
            return TcpFrameResult.NeedMore;
        }

        frame = _buffer.AsSpan(_start + HeaderLength, length);
        _start += HeaderLength + length;
        return TcpFrameResult.Frame;
    }

    /// <summary>Writes the length prefix of a <paramref name="length"/>-byte datagram (RFC 4571 §2).</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ushort.MaxValue);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
    }
}
