namespace Sfu.Core.Net;

/// <summary>What a datagram on the shared media port carries, told by its first byte.</summary>
public enum PacketKind : byte
{
    Unknown,
    Stun,
    Dtls,
    RtpOrRtcp,
}

/// <summary>
/// Demultiplexes one datagram by its first byte (RFC 7983 §7):
/// [0..3] STUN, [20..63] DTLS, [128..191] RTP/RTCP; everything else is dropped.
/// </summary>
public static class PacketClassifier
{
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return PacketKind.Unknown;
        }

        byte first = datagram[0];
        return first switch
        {
            <= 3 => PacketKind.Stun,
            >= 20 and <= 63 => PacketKind.Dtls,
            >= 128 and <= 191 => PacketKind.RtpOrRtcp,
            _ => PacketKind.Unknown,
        };
    }

    /// <summary>
    /// Within the RTP/RTCP range, RTCP packet types 192–223 sit where RTP's marker bit and
    /// payload type are (RFC 5761 §4): payload types 64–95 are never used for RTP.
    /// </summary>
    public static bool IsRtcp(ReadOnlySpan<byte> datagram)
        => datagram.Length >= 2 && datagram[1] >= 192 && datagram[1] <= 223;
}
