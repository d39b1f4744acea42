using Sfu.Core.Rtcp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Feedback;

/// <summary>
/// Our sender report for each stream we send a peer (RFC 3550 §6.4.1), with an SDES CNAME
/// (§6.5.1). The NTP time is ours; the RTP timestamp is the source's at that moment, carried
/// from the publisher's last SR and moved into our numbering, so the subscriber can line up a
/// publisher's audio with its video (both map to the same clock) and measure the round trip
/// from its reports (LSR is our NTP time). A stream whose source has sent no SR yet has no
/// timing to give and gets no SR (LiveKit's and ion-sfu's down-tracks do the same).
/// </summary>
public sealed class SenderReportSender(FeedbackStreams streams, IRtcpSender sender, byte[] cnameUtf8, TimeProvider time) : IRtcpReporter
{
    public void Report(long now)
    {
        if (!sender.IsConnected)
        {
            return;
        }

        Span<byte> compound = stackalloc byte[SenderReport.MinimumSize + SourceDescription.GetCnameSize(cnameUtf8.Length)];
        foreach (IOutboundStream outbound in streams.Sent)
        {
            if (outbound.Stream.PacketsSent == 0 || !outbound.TryGetRtpTimestampAt(now, out uint rtpTimestamp))
            {
                continue;
            }

            ulong ntp = NtpTime.FromDateTime(time.GetUtcNow());
            int length = outbound.Stream.WriteSenderReport(compound, ntp, rtpTimestamp, cnameUtf8);
            if (length > 0 && sender.SendRtcp(compound[..length]))
            {
                outbound.Stream.Quality.OnSenderReportSent(NtpTime.Compact(ntp), now);
            }
        }
    }
}
