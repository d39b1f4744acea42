using Sfu.Core.Feedback;
using Sfu.Core.Rtcp;
using Sfu.Core.Tests.Streams;

namespace Sfu.Core.Tests.Feedback;

/// <summary>What a transport reports on its own schedule, and the NACKs it sends its publisher.</summary>
public sealed class ReporterTests
{
    private readonly FeedbackFixture _f = new();

    [Fact]
    public void The_report_tick_sends_a_receiver_report_with_remb_for_published_video_and_nothing_else_before_a_source_sr()
    {
        _f.Feedback.OnReportTick();

        Assert.Equal([RtcpPacketType.ReceiverReport, RtcpPacketType.PayloadFeedback], _f.Sender.Types());
        Assert.True(RtcpCompoundReader.TryCreate(_f.Sender.Sent[0], out RtcpCompoundReader reader) == RtcpParseResult.Ok);
        reader.MoveNext();
        Assert.True(ReceiverReport.TryParse(reader.Current.Data, out ReceiverReport rr));
        Assert.Equal(FeedbackFixture.ReportSsrc, rr.Ssrc);
        Assert.Equal(FeedbackFixture.PublishedSsrc, rr.GetReportBlock(0).Ssrc);
        reader.MoveNext();
        Assert.True(ReceiverEstimatedMaxBitrate.TryParse(reader.Current.Data, out ReceiverEstimatedMaxBitrate remb));
        Assert.Equal(1_000_000UL, remb.Bitrate);
    }

    [Fact]
    public void Once_the_source_clock_is_known_our_sender_report_follows_and_its_echo_measures_the_round_trip()
    {
        _f.Outbound.Stream.OnSent(100);
        _f.Outbound.Timestamp = 777;
        _f.Feedback.OnReportTick();

        byte[] sr = _f.Sender.Sent.Single(c => c[1] == (byte)RtcpPacketType.SenderReport);
        Assert.True(SenderReport.TryParse(sr, out SenderReport report));
        Assert.Equal(FeedbackFixture.SentSsrc, report.Ssrc);
        Assert.Equal(777u, report.RtpTimestamp);
        Assert.Equal(NtpTime.FromDateTime(_f.Time.GetUtcNow()), report.NtpTimestamp);

        _f.Time.Advance(TimeSpan.FromMilliseconds(40));
        byte[] rr = new byte[ReceiverReport.GetSize(1)];
        ReceiverReport.TryWrite(rr, 0x9999, [new ReportBlock(FeedbackFixture.SentSsrc, 0, 0, 0, 0, report.CompactNtpTimestamp, DelaySinceLastSenderReport: 655)]); // 10 ms held
        _f.Receive(rr);

        Assert.Equal(0.030, _f.Outbound.Stream.Quality.RoundTripSeconds, 3);
    }

    [Fact]
    public void Nothing_is_reported_before_the_transport_is_connected()
    {
        _f.Sender.IsConnected = false;
        _f.Outbound.Stream.OnSent(100);
        _f.Outbound.Timestamp = 1;

        _f.Feedback.OnReportTick();

        Assert.Empty(_f.Sender.Sent);
    }

    [Fact]
    public void A_gap_in_the_publishers_stream_is_nacked_at_once_and_the_retry_follows_the_round_trip()
    {
        var packets = new[] { StreamPackets.Vp8(FeedbackFixture.PublishedSsrc, 1, true), StreamPackets.Vp8(FeedbackFixture.PublishedSsrc, 4, false) };
        foreach (byte[] packet in packets)
        {
            _f.Published.OnPacket(packet, StreamPackets.View(packet), _f.Time.GetTimestamp());
            _f.Feedback.Nacks.OnPacket(_f.Published, _f.Time.GetTimestamp());
        }

        byte[] nack = Assert.Single(_f.Sender.Sent);
        Assert.True(GenericNack.TryParse(nack, out GenericNack parsed));
        Assert.Equal(FeedbackFixture.PublishedSsrc, parsed.MediaSsrc);
        Assert.Equal(FeedbackFixture.ReportSsrc, parsed.SenderSsrc);
        var lost = new List<ushort>();
        foreach (ushort sequence in parsed.LostSequenceNumbers)
        {
            lost.Add(sequence);
        }

        Assert.Equal([2, 3], lost);
        Assert.Equal(1, _f.Counters.NacksSent);

        // A 40 ms round trip measured on what we send this peer sets the retry to 70 ms.
        _f.Outbound.Stream.Quality.OnSenderReportSent(0x10, _f.Time.GetTimestamp());
        _f.Time.Advance(TimeSpan.FromMilliseconds(40));
        _f.Outbound.Stream.Quality.OnReportBlock(new ReportBlock(FeedbackFixture.SentSsrc, 0, 0, 0, 0, 0x10, 0), _f.Time.GetTimestamp());
        _f.Feedback.OnReportTick();

        Assert.Equal(TimeSpan.FromMilliseconds(70), _f.Published.Nacks!.RetryInterval);
    }

    [Fact]
    public void Keyframe_requests_reach_the_publisher_at_most_once_per_interval()
    {
        var requester = new KeyframeRequester(_f.Sender, FeedbackFixture.ReportSsrc, FeedbackFixture.PublishedSsrc, _f.Counters, _f.Time);
        TimeSpan interval = TimeSpan.FromMilliseconds(300);

        bool first = requester.Request(interval, Sfu.Core.Diagnostics.KeyframeRequestReason.SubscriberRequest);
        bool second = requester.Request(interval, Sfu.Core.Diagnostics.KeyframeRequestReason.SubscriberRequest);
        _f.Time.Advance(interval);
        bool third = requester.Request(interval, Sfu.Core.Diagnostics.KeyframeRequestReason.SubscriberRequest);

        Assert.Equal((true, false, true), (first, second, third));
        Assert.Equal(2, _f.Counters.PlisSentFor(Sfu.Core.Diagnostics.KeyframeRequestReason.SubscriberRequest));
        Assert.All(_f.Sender.Sent, pli => Assert.True(PictureLossIndication.TryParse(pli, out PictureLossIndication p) && p.MediaSsrc == FeedbackFixture.PublishedSsrc));
    }
}
