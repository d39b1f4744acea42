namespace Sfu.Core.Dtls;

/// <summary>
/// A view of one handshake message fragment in a plaintext (epoch 0) handshake record
/// (RFC 6347 §4.2.2):
/// <code>
/// +----------+------------------------+-------------+------------------------+------------------------+----------
/// | msg_type | length (24)            | message_seq | fragment_offset (24)   | fragment_length (24)   | body ...
/// +----------+------------------------+-------------+------------------------+------------------------+----------
/// </code>
/// <c>length</c> is the whole message's, which a reassembler sizes its buffer by, so it is the
/// field a hostile peer inflates; this view is how we see it before BouncyCastle does.
/// </summary>
public readonly ref struct DtlsHandshakeFragment
{
    /// <summary>Bytes before the fragment's body.</summary>
    public const int HeaderLength = 12;

    private DtlsHandshakeFragment(byte messageType, int messageLength, int fragmentOffset, ReadOnlySpan<byte> body)
    {
        MessageType = messageType;
        MessageLength = messageLength;
        FragmentOffset = fragmentOffset;
        Body = body;
    }

    /// <summary>1 client_hello, 11 certificate, 16 client_key_exchange, ... (RFC 5246 §7.4).</summary>
    public byte MessageType { get; }

    /// <summary>Length of the whole message this fragment belongs to, as the peer claims it.</summary>
    public int MessageLength { get; }

    public int FragmentOffset { get; }

    /// <summary>The fragment's bytes, exactly <c>fragment_length</c> long.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>
    /// Reads the fragment at the start of <paramref name="data"/> (a record's remaining
    /// plaintext); <paramref name="length"/> is the bytes it spans. The fragment must lie inside
    /// both the record and the message it claims to be part of.
    /// </summary>
    public static DtlsFraming TryRead(ReadOnlySpan<byte> data, out DtlsHandshakeFragment fragment, out int length)
    {
        fragment = default;
        length = 0;
        if (data.Length < HeaderLength)
        {
            return DtlsFraming.TruncatedHandshakeHeader;
        }

        int messageLength = ReadUInt24(data[1..]);
        int fragmentOffset = ReadUInt24(data[6..]);
        int fragmentLength = ReadUInt24(data[9..]);
        if (fragmentLength > data.Length - HeaderLength)
        {
            return DtlsFraming.FragmentLongerThanRecord;
        }

        if (fragmentOffset + fragmentLength > messageLength)
        {
            return DtlsFraming.FragmentOutsideMessage;
        }

        length = HeaderLength + fragmentLength;
        fragment = new DtlsHandshakeFragment(data[0], messageLength, fragmentOffset, data.Slice(HeaderLength, fragmentLength));
        return DtlsFraming.Ok;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> data) => (data[0] << 16) | (data[1] << 8) | data[2];
}
