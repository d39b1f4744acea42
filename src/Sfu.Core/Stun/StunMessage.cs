using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;

namespace Sfu.Core.Stun;

/// <summary>
/// A validated, read-only view over one STUN message in a received datagram (RFC 8489 §5, §14).
/// Nothing is copied: accessors slice the caller's buffer, which must outlive the view.
/// <code>
/// header (20 bytes, see RFC 8489 §5), then attributes, each 4-byte aligned (RFC 8489 §14):
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Type                  |            Length             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Value (variable)                ....
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct StunMessage
{
    // Messages up to this size are copied to the stack to verify MESSAGE-INTEGRITY; a UDP
    // check from a browser is ~100 bytes, larger ones borrow from the shared pool instead.
    private const int StackCopyLimit = 1024;

    private readonly ReadOnlySpan<byte> _message;

    // Offsets of the attribute headers, -1 when absent; found once during TryParse.
    private readonly int _integrityOffset;
    private readonly int _fingerprintOffset;

    private StunMessage(ReadOnlySpan<byte> message, int integrityOffset, int fingerprintOffset)
    {
        _message = message;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
    }

    /// <summary>The whole message as received.</summary>
    public ReadOnlySpan<byte> Raw => _message;

    /// <summary>The 14-bit message type, method and class interleaved (RFC 8489 §5).</summary>
    public ushort MessageType => (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_message) & 0x3FFF);

    /// <summary>The method bits of <see cref="MessageType"/>.</summary>
    public StunMethod Method => StunHeader.DecodeMethod(MessageType);

    /// <summary>The class bits of <see cref="MessageType"/>.</summary>
    public StunClass Class => StunHeader.DecodeClass(MessageType);

    /// <summary>The 96-bit transaction ID (RFC 8489 §5).</summary>
    public ReadOnlySpan<byte> TransactionId => _message.Slice(StunHeader.TransactionIdOffset, StunHeader.TransactionIdLength);

    /// <summary>True when a MESSAGE-INTEGRITY attribute is present (not yet verified).</summary>
    public bool HasMessageIntegrity => _integrityOffset >= 0;

    /// <summary>True when a FINGERPRINT attribute is present (not yet verified).</summary>
    public bool HasFingerprint => _fingerprintOffset >= 0;

    /// <summary>USERNAME's value (RFC 8489 §14.3), empty when absent.</summary>
    public ReadOnlySpan<byte> Username
        => TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> value) ? value : default;

    /// <summary>True when USE-CANDIDATE is present (RFC 8445 §7.1.2): the controlling agent nominates this pair.</summary>
    public bool HasUseCandidate => TryGetAttribute(StunAttributeType.UseCandidate, out _);

    /// <summary>
    /// Cheap demultiplexing test: at least a header, first two bits zero and the magic cookie
    /// (RFC 8489 §5, RFC 7983 §7). Does not validate attributes; use <see cref="TryParse"/>.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram) => StunHeader.LooksLikeStun(datagram);

    /// <summary>
    /// Validates the header and walks every attribute once (RFC 8489 §5, §14). Malformed input
    /// yields a reason, never an exception. On success <paramref name="message"/> views
    /// <paramref name="datagram"/>.
    /// </summary>
    public static StunParseResult TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < StunHeader.Length)
        {
            return StunParseResult.TooShort;
        }

        if (!StunHeader.LooksLikeStun(datagram))
        {
            return StunParseResult.NotStun;
        }

        // RFC 8489 §5: the length excludes the header and its last two bits are always zero;
        // one UDP datagram carries exactly one message (RFC 8489 §6.2.1), so they must agree.
        int bodyLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((bodyLength & 3) != 0 || bodyLength != datagram.Length - StunHeader.Length)
        {
            return StunParseResult.BadLength;
        }

        int integrityOffset = -1;
        int fingerprintOffset = -1;
        int offset = StunHeader.Length;
        while (offset < datagram.Length)
        {
            if (fingerprintOffset >= 0)
            {
                // RFC 8489 §14.7: FINGERPRINT, when present, is the last attribute.
                return StunParseResult.AttributeAfterFingerprint;
            }

            if (datagram.Length - offset < StunHeader.AttributeHeaderLength)
            {
                return StunParseResult.AttributeOverrun;
            }

            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int next = offset + StunHeader.AttributeHeaderLength + StunHeader.Padded(valueLength);
            if (next > datagram.Length)
            {
                return StunParseResult.AttributeOverrun;
            }

            if (type == StunAttributeType.MessageIntegrity && integrityOffset < 0)
            {
                if (valueLength != StunHmac.Length)
                {
                    return StunParseResult.BadMessageIntegrityLength;
                }

                integrityOffset = offset;
            }
            else if (type == StunAttributeType.Fingerprint)
            {
                if (valueLength != 4)
                {
                    return StunParseResult.BadFingerprintLength;
                }

                fingerprintOffset = offset;
            }

            offset = next;
        }

        message = new StunMessage(datagram, integrityOffset, fingerprintOffset);
        return StunParseResult.Ok;
    }

    /// <summary>
    /// Finds the first attribute of the given type and returns its unpadded value. Attributes
    /// after MESSAGE-INTEGRITY are not integrity protected and are ignored, except
    /// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT which may legitimately follow it (RFC 8489 §14.5).
    /// </summary>
    public bool TryGetAttribute(StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_message.IsEmpty)
        {
            return false;
        }

        if (type == StunAttributeType.Fingerprint)
        {
            return TryGetAttributeAt(_fingerprintOffset, out value);
        }

        if (type == StunAttributeType.MessageIntegrity)
        {
            return TryGetAttributeAt(_integrityOffset, out value);
        }

        bool afterIntegrityAllowed = type == StunAttributeType.MessageIntegritySha256;
        int end = _integrityOffset >= 0 && !afterIntegrityAllowed ? _integrityOffset : _message.Length;
        int offset = StunHeader.Length;
        while (offset < end)
        {
            // TryParse already proved every header and padded value is in bounds.
            var current = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(_message[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(_message[(offset + 2)..]);
            if (current == type)
            {
                value = _message.Slice(offset + StunHeader.AttributeHeaderLength, valueLength);
                return true;
            }

            offset += StunHeader.AttributeHeaderLength + StunHeader.Padded(valueLength);
        }

        return false;
    }

    /// <summary>PRIORITY, a 32-bit value (RFC 8445 §7.1.1). False when absent or not 4 bytes.</summary>
    public bool TryGetPriority(out uint priority)
    {
        priority = 0;
        if (!TryGetAttribute(StunAttributeType.Priority, out ReadOnlySpan<byte> value) || value.Length != 4)
        {
            return false;
        }

        priority = BinaryPrimitives.ReadUInt32BigEndian(value);
        return true;
    }

    /// <summary>ICE-CONTROLLING's 64-bit tie-breaker (RFC 8445 §7.1.3). False when absent or not 8 bytes.</summary>
    public bool TryGetIceControlling(out ulong tieBreaker)
        => TryGetUInt64(StunAttributeType.IceControlling, out tieBreaker);

    /// <summary>ICE-CONTROLLED's 64-bit tie-breaker (RFC 8445 §7.1.3). False when absent or not 8 bytes.</summary>
    public bool TryGetIceControlled(out ulong tieBreaker)
        => TryGetUInt64(StunAttributeType.IceControlled, out tieBreaker);

    /// <summary>
    /// ERROR-CODE (RFC 8489 §14.8): code = class * 100 + number, and the UTF-8 reason phrase.
    /// <code>
    /// |           Reserved, should be 0         |Class|     Number    |
    /// |      Reason Phrase (variable)                                ..
    /// </code>
    /// False when absent, shorter than 4 bytes, or the class is outside 3..6 / number above 99.
    /// </summary>
    public bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reasonPhrase)
    {
        code = 0;
        reasonPhrase = default;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out ReadOnlySpan<byte> value) || value.Length < 4)
        {
            return false;
        }

        int hundreds = value[2] & 0x07;
        int number = value[3];
        if (hundreds < 3 || hundreds > 6 || number > 99)
        {
            return false;
        }

        code = (hundreds * 100) + number;
        reasonPhrase = value[4..];
        return true;
    }

    /// <summary>
    /// Decodes XOR-MAPPED-ADDRESS (RFC 8489 §14.2). Allocates the end point; meant for clients.
    /// <code>
    /// |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
    /// |                X-Address (Variable)                          ..
    /// </code>
    /// X-Port is the port XOR the cookie's top 16 bits; X-Address is the address XOR the cookie
    /// (IPv4) or XOR the cookie followed by the transaction ID (IPv6).
    /// </summary>
    public bool TryGetXorMappedAddress([NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (!TryGetAttribute(StunAttributeType.XorMappedAddress, out ReadOnlySpan<byte> value) || value.Length < 4)
        {
            return false;
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(StunHeader.MagicCookie >> 16);
        byte family = value[1];
        int addressLength = family switch
        {
            StunAddressFamily.IPv4 => 4,
            StunAddressFamily.IPv6 => 16,
            _ => 0,
        };
        if (addressLength == 0 || value.Length != 4 + addressLength)
        {
            return false;
        }

        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunHeader.MagicCookie);
        TransactionId.CopyTo(mask[4..]);
        Span<byte> address = stackalloc byte[16];
        address = address[..addressLength];
        for (int i = 0; i < addressLength; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 with <paramref name="key"/> (for ICE,
    /// the short-term password's bytes, RFC 8445 §7.2.2) over the message up to the attribute,
    /// with the header length field rewritten to end just after MESSAGE-INTEGRITY, so that
    /// FINGERPRINT appended later does not invalidate it. Constant-time comparison.
    /// </summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }

        int prefixLength = _integrityOffset;
        byte[]? rented = null;
        Span<byte> prefix = prefixLength <= StackCopyLimit
            ? stackalloc byte[StackCopyLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(prefixLength));
        prefix = prefix[..prefixLength];
        _message[..prefixLength].CopyTo(prefix);
        int adjustedLength = prefixLength + StunHeader.AttributeHeaderLength + StunHmac.Length - StunHeader.Length;
        BinaryPrimitives.WriteUInt16BigEndian(prefix[2..], (ushort)adjustedLength);

        Span<byte> mac = stackalloc byte[StunHmac.Length];
        StunHmac.Compute(key, prefix, mac);
        ReadOnlySpan<byte> received = _message.Slice(_integrityOffset + StunHeader.AttributeHeaderLength, StunHmac.Length);
        bool ok = CryptographicOperations.FixedTimeEquals(mac, received);

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return ok;
    }

    /// <summary>
    /// Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 of everything before the attribute XOR
    /// 0x5354554e. FINGERPRINT is last (enforced by <see cref="TryParse"/>), so the received
    /// length field already covers it and no rewrite is needed. False when absent.
    /// </summary>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset < 0)
        {
            return false;
        }

        uint expected = StunCrc32.Fingerprint(_message[.._fingerprintOffset]);
        uint received = BinaryPrimitives.ReadUInt32BigEndian(_message[(_fingerprintOffset + StunHeader.AttributeHeaderLength)..]);
        return expected == received;
    }

    private bool TryGetAttributeAt(int offset, out ReadOnlySpan<byte> value)
    {
        if (offset < 0)
        {
            value = default;
            return false;
        }

        int valueLength = BinaryPrimitives.ReadUInt16BigEndian(_message[(offset + 2)..]);
        value = _message.Slice(offset + StunHeader.AttributeHeaderLength, valueLength);
        return true;
    }

    private bool TryGetUInt64(StunAttributeType type, out ulong result)
    {
        result = 0;
        if (!TryGetAttribute(type, out ReadOnlySpan<byte> value) || value.Length != 8)
        {
            return false;
        }

        result = BinaryPrimitives.ReadUInt64BigEndian(value);
        return true;
    }
}
