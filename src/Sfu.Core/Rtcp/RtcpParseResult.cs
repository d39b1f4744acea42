namespace Sfu.Core.Rtcp;

/// <summary>Why an RTCP header or compound packet was accepted or rejected.</summary>
public enum RtcpParseResult : byte
{
    /// <summary>Well formed.</summary>
    Ok,

    /// <summary>Empty, or fewer than the 4 header bytes remain.</summary>
    TooShort,

    /// <summary>The version field is not 2 (RFC 3550 §6.4.1, A.2).</summary>
    BadVersion,

    /// <summary>The packet type is outside the RTCP range 192..223 (RFC 5761 §4).</summary>
    BadPacketType,

    /// <summary>The length field announces more bytes than remain (RFC 3550 A.2).</summary>
    BadLength,

    /// <summary>P is set but the padding count is zero or exceeds the packet body (RFC 3550 §6.4.1).</summary>
    BadPadding,

    /// <summary>A packet other than the last in the compound has P set (RFC 3550 A.2).</summary>
    PaddingNotLast,
}
