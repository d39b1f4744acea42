using System.Buffers.Binary;

namespace Sfu.Core.Rtp;

/// <summary>
/// A read-only view over one RTP packet (RFC 3550 §5.1). Nothing is copied: every property
/// reads the underlying span, so the view lives no longer than the datagram buffer.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           timestamp                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           synchronization source (SSRC) identifier            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |            contributing source (CSRC) identifiers             |
/// |                             ....                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  defined by profile (0xBEDE) |           length              |  (if X, §5.3.1)
/// |                        header extension                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                            payload ...   | padding | pad count |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct RtpPacket
{
    /// <summary>Size of the fixed header before the CSRC list (RFC 3550 §5.1).</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>Profile value of the one-byte header extension form (RFC 8285 §4.2).</summary>
    public const ushort OneByteExtensionProfile = 0xBEDE;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _extensionOffset;
    private readonly int _extensionLength;

    private RtpPacket(ReadOnlySpan<byte> data, int extensionOffset, int extensionLength, int headerLength, int paddingLength)
    {
        _data = data;
        _extensionOffset = extensionOffset;
        _extensionLength = extensionLength;
        HeaderLength = headerLength;
        PaddingLength = paddingLength;
    }

    /// <summary>The whole packet this view reads.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>RTP version; always 2 for a parsed packet.</summary>
    public int Version => _data[0] >> 6;

    /// <summary>P bit: the packet ends with padding whose last byte counts it (RFC 3550 §5.1).</summary>
    public bool Padding => (_data[0] & 0x20) != 0;

    /// <summary>X bit: one header extension follows the CSRC list (RFC 3550 §5.3.1).</summary>
    public bool HasExtension => (_data[0] & 0x10) != 0;

    /// <summary>Number of CSRC identifiers after the fixed header.</summary>
    public int CsrcCount => _data[0] & 0x0F;

    /// <summary>M bit, meaning defined by the profile (e.g. last packet of a video frame).</summary>
    public bool Marker => (_data[1] & 0x80) != 0;

    /// <summary>7-bit payload type.</summary>
    public byte PayloadType => (byte)(_data[1] & 0x7F);

    /// <summary>16-bit sequence number.</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_data[2..]);

    /// <summary>32-bit media timestamp.</summary>
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_data[4..]);

    /// <summary>Synchronization source.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_data[8..]);

    /// <summary>Bytes before the payload: fixed header, CSRCs and the whole extension block.</summary>
    public int HeaderLength { get; }

    /// <summary>Number of padding bytes at the end, including the count byte; 0 when P is clear.</summary>
    public int PaddingLength { get; }

    /// <summary>The 16-bit "defined by profile" field of the extension header, or 0 without one.</summary>
    public ushort ExtensionProfile => HasExtension
        ? BinaryPrimitives.ReadUInt16BigEndian(_data[(_extensionOffset - 4)..])
        : (ushort)0;

    /// <summary>The extension body after its 4-byte header; empty without an extension.</summary>
    public ReadOnlySpan<byte> ExtensionData => _data.Slice(_extensionOffset, _extensionLength);

    /// <summary>The payload, without header and without padding.</summary>
    public ReadOnlySpan<byte> Payload => _data[HeaderLength..(_data.Length - PaddingLength)];

    /// <summary>The padding bytes (including the trailing count byte).</summary>
    public ReadOnlySpan<byte> PaddingBytes => _data[(_data.Length - PaddingLength)..];

    /// <summary>Reads CSRC number <paramref name="index"/> (0 ≤ index &lt; <see cref="CsrcCount"/>).</summary>
    public uint Csrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_data[(FixedHeaderLength + (4 * index))..]);
    }

    /// <summary>
    /// Walks the RFC 8285 header extension elements; empty when the packet has no extension
    /// or uses a profile other than the one-byte (0xBEDE) or two-byte (0x100X) forms.
    /// </summary>
    public RtpHeaderExtensionEnumerator Extensions => new(ExtensionProfile, ExtensionData);

    /// <summary>
    /// Finds the first header extension element with the given local id (RFC 8285 §4.2/§4.3).
    /// </summary>
    public bool TryGetExtension(byte id, out ReadOnlySpan<byte> value)
    {
        if (id != 0)
        {
            foreach (RtpHeaderExtension element in Extensions)
            {
                if (element.Id == id)
                {
                    value = element.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Validates the layout of an RTP packet and returns a view over it. Elements inside the
    /// extension block are not validated here; a malformed element simply ends the walk.
    /// </summary>
    public static RtpParseResult TryParse(ReadOnlySpan<byte> data, out RtpPacket packet)
    {
        packet = default;
        if (data.Length < FixedHeaderLength)
        {
            return RtpParseResult.TooShort;
        }

        byte first = data[0];
        if ((first >> 6) != 2)
        {
            return RtpParseResult.BadVersion;
        }

        int offset = FixedHeaderLength + (4 * (first & 0x0F));
        if (offset > data.Length)
        {
            return RtpParseResult.CsrcOverrun;
        }

        int extensionOffset = offset;
        int extensionLength = 0;
        if ((first & 0x10) != 0)
        {
            // §5.3.1: 16-bit profile, 16-bit length counting 32-bit words after these 4 bytes.
            if (offset + 4 > data.Length)
            {
                return RtpParseResult.ExtensionOverrun;
            }

            extensionLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            extensionOffset = offset + 4;
            offset = extensionOffset + extensionLength;
            if (offset > data.Length)
            {
                return RtpParseResult.ExtensionOverrun;
            }
        }

        int padding = 0;
        if ((first & 0x20) != 0)
        {
            // §5.1: the last octet counts the padding, itself included, so it is at least 1.
            padding = data[^1];
            if (padding == 0 || padding > data.Length - offset)
            {
                return RtpParseResult.BadPadding;
            }
        }

        packet = new RtpPacket(data, extensionOffset, extensionLength, offset, padding);
        return RtpParseResult.Ok;
    }
}
