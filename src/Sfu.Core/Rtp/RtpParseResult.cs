namespace Sfu.Core.Rtp;

/// <summary>Why <see cref="RtpPacket.TryParse"/> accepted or rejected a datagram.</summary>
public enum RtpParseResult : byte
{
    /// <summary>The packet is well formed.</summary>
    Ok,

    /// <summary>Shorter than the 12-byte fixed header (RFC 3550 §5.1).</summary>
    TooShort,

    /// <summary>The version field is not 2 (RFC 3550 §5.1).</summary>
    BadVersion,

    /// <summary>The CSRC list announced by CC runs past the end of the packet.</summary>
    CsrcOverrun,

    /// <summary>The extension header or its announced length runs past the end (RFC 3550 §5.3.1).</summary>
    ExtensionOverrun,

    /// <summary>P is set but the padding count is zero or larger than the payload area (RFC 3550 §5.1).</summary>
    BadPadding,
}
