namespace Sfu.Core.Srtp;

/// <summary>
/// Outcome of protecting or unprotecting one packet. Bad network input is reported here,
/// never thrown: the caller drops the packet and may count the reason.
/// </summary>
public enum SrtpResult : byte
{
    /// <summary>The packet was protected or unprotected; the output length is valid.</summary>
    Ok = 0,

    /// <summary>Fewer bytes than the fixed header, the declared CSRC list / header extension, or the trailer need.</summary>
    TooShort,

    /// <summary>The bytes are not an RTP/RTCP packet: wrong version (RFC 3550 §5.1, §6.4.1) or a length no UDP datagram can have.</summary>
    Malformed,

    /// <summary>The authentication tag did not verify (RFC 3711 §3.3 step 5, RFC 7714 §8.2); the packet must be dropped.</summary>
    AuthenticationFailed,

    /// <summary>This packet index was already received (RFC 3711 §3.3.2).</summary>
    ReplayDuplicate,

    /// <summary>The packet index is behind the replay window, or before the start of the stream (RFC 3711 §3.3.2).</summary>
    ReplayTooOld,

    /// <summary>The output buffer has no room for the tag (and SRTCP index); size it with <see cref="SrtpContext.MaxRtpOverhead"/>.</summary>
    BufferTooSmall,

    /// <summary>The context already tracks <see cref="SrtpContext.MaxStreams"/> SSRCs; state for a new one is refused.</summary>
    TooManyStreams,
}
