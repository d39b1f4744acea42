using Sfu.Core.Rtcp;

namespace Sfu.Core.Feedback;

/// <summary>
/// A peer asks for a keyframe of a stream we send it: PLI names the stream in the common
/// feedback header (RFC 4585 §6.3.1), FIR in each FCI entry (RFC 5104 §4.3.1.1). The stream
/// passes the request on to its source, which throttles what reaches the publisher.
/// </summary>
public sealed class KeyframeRequestProcessor(FeedbackStreams streams) : IRtcpProcessor
{
    public void Process(in RtcpPacket packet, long now, Span<byte> scratch)
    {
        if (packet.Header.PacketType != RtcpPacketType.PayloadFeedback)
        {
            return;
        }

        if (PictureLossIndication.TryParse(packet.Data, out PictureLossIndication pli))
        {
            Request(pli.MediaSsrc);
        }
        else if (FullIntraRequest.TryParse(packet.Data, out FullIntraRequest fir))
        {
            for (int i = 0; i < fir.EntryCount; i++)
            {
                Request(fir.GetEntry(i).Ssrc);
            }
        }
    }

    private void Request(uint mediaSsrc)
    {
        if (streams.TryGetSent(mediaSsrc, out IOutboundStream outbound))
        {
            outbound.RequestKeyframe();
        }
    }
}
