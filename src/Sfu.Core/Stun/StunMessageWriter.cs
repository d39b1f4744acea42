using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sfu.Core.Stun;

/// <summary>
/// Writes one STUN message into a caller-provided buffer (RFC 8489 §5, §14) without
/// allocating. The header's length field is kept current after every attribute, so the
/// message is valid at any point; MESSAGE-INTEGRITY and FINGERPRINT, when used, go last in
/// that order (RFC 8489 §14.5, §14.7). Running out of buffer is a sizing bug of the caller and
/// throws <see cref="ArgumentException"/>; nothing here depends on received bytes.
/// <code>
/// |0 0|     STUN Message Type     |         Message Length        |
/// |                         Magic Cookie                          |
/// |                     Transaction ID (96 bits)                  |
/// |         Type                  |            Length             |  attribute…
/// |                         Value (padded to 4)             ....
/// </code>
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Starts a message of the given method and class (RFC 8489 §5).</summary>
    public StunMessageWriter(Span<byte> buffer, StunMethod method, StunClass messageClass, scoped ReadOnlySpan<byte> transactionId)
        : this(buffer, StunHeader.EncodeType(method, messageClass), transactionId)
    {
    }

    /// <summary>Starts a message with a raw 14-bit type (RFC 8489 §5).</summary>
    public StunMessageWriter(Span<byte> buffer, ushort messageType, scoped ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != StunHeader.TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction ID is 12 bytes (RFC 8489 §5).", nameof(transactionId));
        }

        if (buffer.Length < StunHeader.Length)
        {
            throw new ArgumentException("The buffer cannot hold a 20-byte STUN header.", nameof(buffer));
        }

        if ((messageType & 0xC000) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(messageType), "The top two bits of a STUN message type are zero (RFC 8489 §5).");
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, messageType);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunHeader.MagicCookie);
        transactionId.CopyTo(buffer[StunHeader.TransactionIdOffset..]);
        _length = StunHeader.Length;
        PaddingByte = 0;
    }

    /// <summary>Bytes written so far; the message is always complete up to here.</summary>
    public readonly int Length => _length;

    /// <summary>
    /// The byte used to pad attribute values. RFC 8489 §14 requires zero; RFC 5389 §15 allowed
    /// any value, and the RFC 5769 vectors pad with 0x20, so tests may set it to reproduce them.
    /// </summary>
    internal byte PaddingByte { get; set; }

    /// <summary>The finished message, a slice of the buffer given to the constructor.</summary>
    public readonly Span<byte> Complete() => _buffer[.._length];

    /// <summary>Appends an attribute with an arbitrary value and pads it to 4 bytes (RFC 8489 §14).</summary>
    public void AddAttribute(StunAttributeType type, scoped ReadOnlySpan<byte> value)
    {
        Span<byte> destination = Reserve(type, value.Length);
        value.CopyTo(destination);
        Commit(value.Length);
    }

    /// <summary>USERNAME (RFC 8489 §14.3); for an ICE check "remoteUfrag:localUfrag" (RFC 8445 §7.2.2).</summary>
    public void AddUsername(scoped ReadOnlySpan<byte> username) => AddAttribute(StunAttributeType.Username, username);

    /// <summary>USERNAME from text, encoded as UTF-8 (RFC 8489 §14.3).</summary>
    public void AddUsername(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        Span<byte> destination = Reserve(StunAttributeType.Username, Encoding.UTF8.GetByteCount(username));
        int written = Encoding.UTF8.GetBytes(username, destination);
        Commit(written);
    }

    /// <summary>PRIORITY (RFC 8445 §7.1.1).</summary>
    public void AddPriority(uint priority)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(StunAttributeType.Priority, 4), priority);
        Commit(4);
    }

    /// <summary>ICE-CONTROLLING with the sender's tie-breaker (RFC 8445 §7.1.3).</summary>
    public void AddIceControlling(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlling, tieBreaker);

    /// <summary>ICE-CONTROLLED with the sender's tie-breaker (RFC 8445 §7.1.3).</summary>
    public void AddIceControlled(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlled, tieBreaker);

    /// <summary>USE-CANDIDATE, an empty flag (RFC 8445 §7.1.2).</summary>
    public void AddUseCandidate()
    {
        Reserve(StunAttributeType.UseCandidate, 0);
        Commit(0);
    }

    /// <summary>
    /// XOR-MAPPED-ADDRESS from a raw socket address (RFC 8489 §14.2). Reads the platform
    /// sockaddr layout: port big-endian at offset 2, IPv4 address at 4, IPv6 address at 8.
    /// </summary>
    public void AddXorMappedAddress(SocketAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        ReadOnlySpan<byte> sockaddr = address.Buffer.Span[..address.Size];
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        switch (address.Family)
        {
            case AddressFamily.InterNetwork:
                AddXorMappedAddress(StunAddressFamily.IPv4, port, sockaddr.Slice(4, 4));
                break;
            case AddressFamily.InterNetworkV6:
                AddXorMappedAddress(StunAddressFamily.IPv6, port, sockaddr.Slice(8, 16));
                break;
            default:
                throw new ArgumentException("Only IPv4 and IPv6 addresses can be mapped.", nameof(address));
        }
    }

    /// <summary>XOR-MAPPED-ADDRESS from an end point (RFC 8489 §14.2).</summary>
    public void AddXorMappedAddress(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        Span<byte> address = stackalloc byte[16];
        if (!endPoint.Address.TryWriteBytes(address, out int written))
        {
            throw new ArgumentException("The address does not fit 16 bytes.", nameof(endPoint));
        }

        byte family = written == 4 ? StunAddressFamily.IPv4 : StunAddressFamily.IPv6;
        AddXorMappedAddress(family, (ushort)endPoint.Port, address[..written]);
    }

    /// <summary>
    /// ERROR-CODE (RFC 8489 §14.8) with a code in 300..699 and a reason phrase of at most 127
    /// characters (763 UTF-8 bytes).
    /// </summary>
    public void AddErrorCode(int code, string reasonPhrase)
    {
        ArgumentNullException.ThrowIfNull(reasonPhrase);
        if (code < 300 || code > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "STUN error codes are 300..699 (RFC 8489 §14.8).");
        }

        int reasonLength = Encoding.UTF8.GetByteCount(reasonPhrase);
        if (reasonLength > 763)
        {
            throw new ArgumentException("The reason phrase is limited to 763 bytes (RFC 8489 §14.8).", nameof(reasonPhrase));
        }

        Span<byte> destination = Reserve(StunAttributeType.ErrorCode, 4 + reasonLength);
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = (byte)(code / 100);
        destination[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reasonPhrase, destination[4..]);
        Commit(4 + reasonLength);
    }

    /// <summary>
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 keyed with <paramref name="key"/> over the
    /// message so far, after setting the length field to include this attribute.
    /// </summary>
    public void AddMessageIntegrity(scoped ReadOnlySpan<byte> key)
    {
        Span<byte> destination = Reserve(StunAttributeType.MessageIntegrity, StunHmac.Length);
        WriteBodyLength(_length + StunHeader.AttributeHeaderLength + StunHmac.Length);
        StunHmac.Compute(key, _buffer[.._length], destination);
        Commit(StunHmac.Length);
    }

    /// <summary>
    /// FINGERPRINT (RFC 8489 §14.7): CRC-32 XOR 0x5354554e over the message so far, after setting
    /// the length field to include this attribute. Must be the last attribute.
    /// </summary>
    public void AddFingerprint()
    {
        Span<byte> destination = Reserve(StunAttributeType.Fingerprint, 4);
        WriteBodyLength(_length + StunHeader.AttributeHeaderLength + 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination, StunCrc32.Fingerprint(_buffer[.._length]));
        Commit(4);
    }

    private void AddUInt64(StunAttributeType type, ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(type, 8), value);
        Commit(8);
    }

    private void AddXorMappedAddress(byte family, ushort port, scoped ReadOnlySpan<byte> address)
    {
        Span<byte> value = Reserve(StunAttributeType.XorMappedAddress, 4 + address.Length);
        value[0] = 0;
        value[1] = family;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(port ^ (StunHeader.MagicCookie >> 16)));

        // The mask is the cookie followed by the transaction ID (RFC 8489 §14.2); IPv4 uses the first 4 bytes.
        ReadOnlySpan<byte> mask = _buffer[4..StunHeader.Length];
        for (int i = 0; i < address.Length; i++)
        {
            value[4 + i] = (byte)(address[i] ^ mask[i]);
        }

        Commit(4 + address.Length);
    }

    // Writes the attribute header and returns the value area; Commit pads and advances.
    private readonly Span<byte> Reserve(StunAttributeType type, int valueLength)
    {
        int total = StunHeader.AttributeHeaderLength + StunHeader.Padded(valueLength);
        if (valueLength > ushort.MaxValue || _buffer.Length - _length < total || _length + total - StunHeader.Length > ushort.MaxValue)
        {
            throw new ArgumentException("The STUN buffer is too small for this attribute.");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_length..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_length + 2)..], (ushort)valueLength);
        return _buffer.Slice(_length + StunHeader.AttributeHeaderLength, valueLength);
    }

    private void Commit(int valueLength)
    {
        int valueStart = _length + StunHeader.AttributeHeaderLength;
        int padded = StunHeader.Padded(valueLength);
        _buffer.Slice(valueStart + valueLength, padded - valueLength).Fill(PaddingByte);
        _length = valueStart + padded;
        WriteBodyLength(_length);
    }

    private readonly void WriteBodyLength(int messageLength)
        => BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(messageLength - StunHeader.Length));
}
