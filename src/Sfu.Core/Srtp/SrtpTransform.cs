namespace Sfu.Core.Srtp;

/// <summary>
/// One set of session keys (the RTP set or the RTCP set of RFC 3711 §4.3) and the packet
/// cryptography of one profile. Stateless apart from the keys: the context decides the packet
/// index, does replay checks and owns per-SSRC state; a transform only seals and opens.
/// </summary>
internal abstract class SrtpTransform : IDisposable
{
    /// <summary>Bytes appended to an RTP packet (the authentication tag).</summary>
    public abstract int RtpOverhead { get; }

    /// <summary>Bytes appended to an RTCP packet (E flag + SRTCP index word and the tag).</summary>
    public abstract int RtcpOverhead { get; }

    /// <summary>Where the E||SRTCP-index word sits, counted back from the end of an SRTCP packet.</summary>
    public abstract int RtcpIndexOffsetFromEnd { get; }

    /// <summary>
    /// Encrypts <c>buffer[headerLength..length]</c> in place and writes the tag at
    /// <c>buffer[length..length + RtpOverhead]</c>; the header is authenticated only.
    /// </summary>
    public abstract void SealRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index);

    /// <summary>
    /// Verifies the tag that follows <c>packet[..payloadEnd]</c> and, only if it verifies,
    /// decrypts the payload in place. Returns false on a bad tag.
    /// </summary>
    public abstract bool OpenRtp(Span<byte> packet, int headerLength, int payloadEnd, uint ssrc, ulong index);

    /// <summary>Encrypts an RTCP compound packet in place (E = 1) and appends the trailer; returns the SRTCP length.</summary>
    public abstract int SealRtcp(Span<byte> buffer, int length, uint ssrc, uint index);

    /// <summary>
    /// Verifies an SRTCP packet and, if <paramref name="encrypted"/>, decrypts it in place.
    /// Returns false on a bad tag; <paramref name="plainLength"/> is the RTCP length.
    /// </summary>
    public abstract bool OpenRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, out int plainLength);

    public abstract void Dispose();
}
