using Sfu.Core.Rtcp;
using Sfu.Core.Streams;

namespace Sfu.Core.Feedback;

/// <summary>
/// A publisher's sender reports (RFC 3550 §6.4.1) tie each of its streams' RTP clock to its
/// NTP clock: the receive stream keeps the newest, for our receiver reports (LSR/DLSR) and for
/// the sender reports we write to each subscriber. Report blocks inside an SR are the
/// <see cref="ReceptionReportProcessor"/>'s.
/// </summary>
public sealed class SenderReportProcessor(FeedbackStreams streams) : IRtcpProcessor
{
    public void Process(in RtcpPacket packet, long now, Span<byte> scratch)
    {
        if (packet.Header.PacketType != RtcpPacketType.SenderReport
            || !SenderReport.TryParse(packet.Data, out SenderReport report)
            || !streams.TryGetReceived(report.Ssrc, out RtpReceiveStream stream))
        {
            return;
        }

        stream.OnSenderReport(report.NtpTimestamp, report.RtpTimestamp, now);
    }
}
