using System.Collections.Immutable;
using Sfu.Core.Rtcp;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Feedback;

/// <summary>
/// Our receiver reports on every stream a peer publishes (RFC 3550 §6.4.2), and a REMB
/// (draft-alvestrand-rmcat-remb) that lets its video encoders climb to the configured rate:
/// a browser's sender estimate only rises on feedback.
/// </summary>
public sealed class ReceiverReportSender(FeedbackStreams streams, IRtcpSender sender, uint reportSsrc, ulong maxVideoBitrate) : IRtcpReporter
{
    /// <summary>Report blocks in one RR (the RC field is 5 bits).</summary>
    private const int MaxBlocks = 31;

    public void Report(long now)
    {
        ImmutableArray<RtpReceiveStream> received = streams.Received;
        if (received.IsEmpty || !sender.IsConnected)
        {
            return;
        }

        int count = Math.Min(received.Length, MaxBlocks);
        Span<ReportBlock> blocks = stackalloc ReportBlock[count];
        Span<uint> videoSsrcs = stackalloc uint[count];
        int videoCount = 0;
        for (int i = 0; i < count; i++)
        {
            RtpReceiveStream stream = received[i];
            blocks[i] = stream.Statistics.TakeReportBlock(stream.Ssrc, now);
            if (stream.Kind == MediaKind.Video)
            {
                videoSsrcs[videoCount++] = stream.Ssrc;
            }
        }

        Span<byte> compound = stackalloc byte[1200];
        int length = ReceiverReport.TryWrite(compound, reportSsrc, blocks);
        if (length < 0)
        {
            return;
        }

        if (videoCount > 0)
        {
            int remb = ReceiverEstimatedMaxBitrate.TryWrite(compound[length..], reportSsrc, maxVideoBitrate * (ulong)videoCount, videoSsrcs[..videoCount]);
            if (remb > 0)
            {
                length += remb;
            }
        }

        sender.SendRtcp(compound[..length]);
    }
}
