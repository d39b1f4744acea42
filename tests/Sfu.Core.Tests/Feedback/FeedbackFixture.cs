using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Feedback;

/// <summary>One peer's RTCP side with one stream it publishes and one we send it.</summary>
internal sealed class FeedbackFixture
{
    public const uint ReportSsrc = 0x5151;
    public const uint PublishedSsrc = 0x1000;
    public const uint SentSsrc = 0x2000;

    public FeedbackFixture()
    {
        Feedback = new TransportFeedback(Sender, ReportSsrc, "cname", 1_000_000, Counters, null, Time);
        Published = new RtpReceiveStream(new RtpStreamParameters(PublishedSsrc, MediaKind.Video, 96, 90000, VideoCodecKind.Vp8), Time);
        Outbound = new RecordingOutboundStream(new RtpSendStream(SentSsrc, MediaKind.Video, 90000, 0, 0, Time));
        Feedback.Streams.Add(Published);
        Feedback.Streams.Add(Outbound);
    }

    public FakeTimeProvider Time { get; } = new();

    public MediaCounters Counters { get; } = new();

    public RecordingRtcpSender Sender { get; } = new();

    public TransportFeedback Feedback { get; }

    public RtpReceiveStream Published { get; }

    public RecordingOutboundStream Outbound { get; }

    public void Receive(ReadOnlySpan<byte> compound)
    {
        Span<byte> scratch = stackalloc byte[2048];
        Feedback.OnRtcp(compound, scratch);
    }

    public static byte[] Nack(uint mediaSsrc, params ushort[] lost)
    {
        var buffer = new byte[RtcpFeedback.MinimumSize + (GenericNack.FciSize * Math.Max(1, lost.Length))];
        int length = GenericNack.TryWrite(buffer, 0x9999, mediaSsrc, lost);
        return buffer[..length];
    }

    public static byte[] Pli(uint mediaSsrc)
    {
        var buffer = new byte[PictureLossIndication.Size];
        PictureLossIndication.TryWrite(buffer, 0x9999, mediaSsrc);
        return buffer;
    }
}
