using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Feedback;

/// <summary>
/// The report blocks of a peer's RR and SR (RFC 3550 §6.4.1), one per stream it receives
/// from us: loss, jitter and, from LSR/DLSR, the round-trip time, kept on our send stream and
/// recorded in the metrics. Blocks about SSRCs we do not send are ignored.
/// </summary>
public sealed class ReceptionReportProcessor(FeedbackStreams streams, SfuMetrics? metrics) : IRtcpProcessor
{
    public void Process(in RtcpPacket packet, long now, Span<byte> scratch)
    {
        if (packet.Header.PacketType == RtcpPacketType.ReceiverReport && ReceiverReport.TryParse(packet.Data, out ReceiverReport rr))
        {
            for (int i = 0; i < rr.ReportCount; i++)
            {
                OnBlock(rr.GetReportBlock(i), now);
            }
        }
        else if (packet.Header.PacketType == RtcpPacketType.SenderReport && SenderReport.TryParse(packet.Data, out SenderReport sr))
        {
            for (int i = 0; i < sr.ReportCount; i++)
            {
                OnBlock(sr.GetReportBlock(i), now);
            }
        }
    }

    private void OnBlock(in ReportBlock block, long now)
    {
        if (!streams.TryGetSent(block.Ssrc, out IOutboundStream outbound))
        {
            return;
        }

        var quality = outbound.Stream.Quality;
        bool measured = quality.OnReportBlock(block, now);
        metrics?.RecordReception(outbound.Stream.Kind, quality.FractionLost, quality.JitterSeconds, measured ? quality.RoundTripSeconds : null);
    }
}
