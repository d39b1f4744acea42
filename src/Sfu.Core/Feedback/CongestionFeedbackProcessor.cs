using Sfu.Core.Rtcp;

namespace Sfu.Core.Feedback;

/// <summary>
/// A subscriber's reports on what reached it: transport-wide feedback on every packet we sent
/// it (RTPFB FMT 15), or a REMB (PSFB FMT 15, draft-alvestrand-rmcat-remb) from one that only
/// estimates on its side. Both end up in its <see cref="DownlinkBandwidth"/>.
/// </summary>
public sealed class CongestionFeedbackProcessor(DownlinkBandwidth downlink) : IRtcpProcessor
{
    public void Process(in RtcpPacket packet, long now, Span<byte> scratch)
    {
        if (packet.Header.PacketType == RtcpPacketType.TransportFeedback && packet.Header.Format == TransportWideFeedback.Format)
        {
            if (TransportWideFeedback.TryParse(packet.Data, out TransportWideFeedback feedback))
            {
                downlink.OnFeedback(feedback, now);
            }
        }
        else if (packet.Header.PacketType == RtcpPacketType.PayloadFeedback && ReceiverEstimatedMaxBitrate.TryParse(packet.Data, out ReceiverEstimatedMaxBitrate remb))
        {
            downlink.OnRemb((long)Math.Min(remb.Bitrate, long.MaxValue));
        }
    }
}
