namespace Sfu.Core.Srtp;

/// <summary>
/// Cryptographic state of one SSRC within one <see cref="SrtpContext"/> (RFC 3711 §3.2.1):
/// the sending side uses the highest sent index (which carries the ROC) and the next SRTCP
/// index; the receiving side uses the two replay windows, whose highest index carries the
/// ROC and s_l.
/// </summary>
internal sealed class SrtpStreamState
{
    /// <summary>True once an RTP packet was protected for this SSRC.</summary>
    public bool HasSent;

    /// <summary>Highest SRTP index protected so far: ROC in bits 16..47, s_l in bits 0..15.</summary>
    public ulong HighestSentIndex;

    /// <summary>SRTCP index for the next protected RTCP packet; starts at 0 (RFC 3711 §3.4).</summary>
    public uint NextSrtcpIndex;

    /// <summary>Received SRTP indices.</summary>
    public SrtpReplayWindow RtpWindow;

    /// <summary>Received SRTCP indices.</summary>
    public SrtpReplayWindow RtcpWindow;
}
