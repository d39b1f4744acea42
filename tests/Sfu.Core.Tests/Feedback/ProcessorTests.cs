using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Tests.Feedback;

/// <summary>
/// Each RTCP concern of a transport as a table of what arrives and what it causes: NACK
/// answering (RFC 4585 §6.2.1), keyframe requests (§6.3.1 PLI, RFC 5104 §4.3.1 FIR), sender
/// reports (RFC 3550 §6.4.1) and reception reports.
/// </summary>
public sealed class ProcessorTests
{
    private readonly FeedbackFixture _f = new();

    [Fact]
    public void A_nack_is_answered_once_per_named_packet_and_counted()
    {
        _f.Receive(FeedbackFixture.Nack(FeedbackFixture.SentSsrc, 10, 11, 15));

        Assert.Equal([10, 11, 15], _f.Outbound.Retransmitted);
        Assert.Equal(1, _f.Counters.NacksReceived);
        Assert.Equal(3, _f.Counters.PacketsRetransmitted);
    }

    [Fact]
    public void A_repeated_nack_within_the_resend_window_is_not_answered_again_and_is_after_it()
    {
        _f.Receive(FeedbackFixture.Nack(FeedbackFixture.SentSsrc, 10));
        _f.Receive(FeedbackFixture.Nack(FeedbackFixture.SentSsrc, 10));
        _f.Time.Advance(NackResponder.DefaultResendInterval);
        _f.Receive(FeedbackFixture.Nack(FeedbackFixture.SentSsrc, 10));

        Assert.Equal([10, 10], _f.Outbound.Retransmitted);
    }

    [Fact]
    public void One_nack_naming_a_thousand_packets_causes_at_most_the_cap_of_resends()
    {
        ushort[] lost = [.. Enumerable.Range(0, 1000).Select(i => (ushort)i)];

        _f.Receive(FeedbackFixture.Nack(FeedbackFixture.SentSsrc, lost));

        Assert.Equal(NackResponder.MaxResendsPerNack, _f.Outbound.Retransmitted.Count);
    }

    [Fact]
    public void Feedback_about_a_stream_we_do_not_send_is_ignored()
    {
        _f.Receive(FeedbackFixture.Nack(0x7777, 1, 2));
        _f.Receive(FeedbackFixture.Pli(0x7777));

        Assert.Empty(_f.Outbound.Retransmitted);
        Assert.Equal(0, _f.Outbound.KeyframeRequests);
    }

    [Fact]
    public void Pli_and_every_fir_entry_ask_the_stream_for_a_keyframe()
    {
        byte[] fir = new byte[FullIntraRequest.GetSize(2)];
        FullIntraRequest.TryWrite(fir, 0x9999, [new FirEntry(FeedbackFixture.SentSsrc, 1), new FirEntry(FeedbackFixture.SentSsrc, 2)]);

        _f.Receive(FeedbackFixture.Pli(FeedbackFixture.SentSsrc));
        _f.Receive(fir);

        Assert.Equal(3, _f.Outbound.KeyframeRequests);
    }

    [Fact]
    public void A_publishers_sender_report_ties_its_stream_to_our_clock()
    {
        byte[] sr = new byte[SenderReport.GetSize(0)];
        SenderReport.TryWrite(sr, FeedbackFixture.PublishedSsrc, 0x0000_0001_8000_0000, 90_000, 10, 1000, []);

        _f.Receive(sr);

        Assert.Equal(90_000u, _f.Published.LastSenderReport!.Value.RtpTimestamp);
        Assert.Equal(_f.Time.GetTimestamp(), _f.Published.LastSenderReport!.Value.ArrivedAt);
    }

    [Fact]
    public void A_receiver_report_block_about_our_stream_gives_its_loss_and_round_trip()
    {
        // We sent an SR whose middle NTP bits were 0x00010000 20 ms ago; the peer held it 5 ms.
        _f.Outbound.Stream.Quality.OnSenderReportSent(0x0001_0000, _f.Time.GetTimestamp());
        _f.Time.Advance(TimeSpan.FromMilliseconds(20));
        byte[] rr = new byte[ReceiverReport.GetSize(2)];
        ReceiverReport.TryWrite(rr, 0x9999,
        [
            new ReportBlock(FeedbackFixture.SentSsrc, FractionLost: 26, CumulativeLost: 3, 100, Jitter: 900, LastSenderReport: 0x0001_0000, DelaySinceLastSenderReport: 328),
            new ReportBlock(0x4242, 255, 99, 0, 0, 0, 0),
        ]);

        _f.Receive(rr);

        Assert.Equal(26 / 256.0, _f.Outbound.Stream.Quality.FractionLost);
        Assert.Equal(0.015, _f.Outbound.Stream.Quality.RoundTripSeconds, 3);
        Assert.Equal(0.010, _f.Outbound.Stream.Quality.JitterSeconds, 6);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 200, 0, 1, 0, 0 })]          // length says more than there is
    [InlineData(new byte[] { 0x40, 201, 0, 1, 0, 0, 0, 1 })]    // version 1
    [InlineData(new byte[] { })]
    public void A_malformed_compound_is_dropped_and_counted(byte[] compound)
    {
        _f.Receive(compound);

        Assert.Equal(1, _f.Counters.DroppedCount(DropReason.Malformed));
        Assert.Empty(_f.Outbound.Retransmitted);
    }

    [Fact]
    public void Every_processor_sees_every_packet_of_a_compound()
    {
        byte[] rr = new byte[ReceiverReport.GetSize(0)];
        ReceiverReport.TryWrite(rr, 0x9999, []);
        byte[] compound = [.. rr, .. FeedbackFixture.Nack(FeedbackFixture.SentSsrc, 4), .. FeedbackFixture.Pli(FeedbackFixture.SentSsrc)];

        _f.Receive(compound);

        Assert.Equal([4], _f.Outbound.Retransmitted);
        Assert.Equal(1, _f.Outbound.KeyframeRequests);
    }
}
