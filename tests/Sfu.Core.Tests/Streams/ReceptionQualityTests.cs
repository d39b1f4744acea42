using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Rtcp;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

public class ReceptionQualityTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Round_trip_is_the_time_since_our_SR_left_minus_the_subscribers_DLSR()
    {
        // RFC 3550 §6.4.1: RTT = A − LSR − DLSR, with A − LSR measured on our own clock.
        var quality = new ReceptionQuality(90000, _time);
        quality.OnSenderReportSent(0xAABB_CCDD, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(530));
        var block = new ReportBlock(1, 0, 0, 0, 0, 0xAABB_CCDD, DelaySinceLastSenderReport: 0x8000); // 0.5 s in 1/65536 s

        bool measured = quality.OnReportBlock(block, _time.GetTimestamp());

        Assert.True(measured);
        Assert.Equal(0.030, quality.RoundTripSeconds, 6);
    }

    [Fact]
    public void A_report_naming_no_SR_we_sent_updates_loss_and_jitter_but_not_the_round_trip()
    {
        var quality = new ReceptionQuality(48000, _time);
        quality.OnSenderReportSent(0x1111_1111, _time.GetTimestamp());
        var block = new ReportBlock(1, FractionLost: 64, CumulativeLost: 12, 0, Jitter: 480, LastSenderReport: 0x2222_2222, 100);

        bool measured = quality.OnReportBlock(block, _time.GetTimestamp());

        Assert.False(measured);
        Assert.True(double.IsNaN(quality.RoundTripSeconds));
        Assert.Equal(0.25, quality.FractionLost); // 64/256
        Assert.Equal(12, quality.CumulativeLost);
        Assert.Equal(0.010, quality.JitterSeconds, 9); // 480 units at 48 kHz
        Assert.Equal(1, quality.Reports);
    }

    [Fact]
    public void An_older_SR_still_in_memory_is_matched_and_a_DLSR_past_the_elapsed_time_gives_zero_not_negative()
    {
        var quality = new ReceptionQuality(90000, _time);
        quality.OnSenderReportSent(0x0000_0001, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(1));
        quality.OnSenderReportSent(0x0000_0002, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(quality.OnReportBlock(new ReportBlock(1, 0, 0, 0, 0, 0x0000_0001, 65536), _time.GetTimestamp()));
        Assert.Equal(0.1, quality.RoundTripSeconds, 6);
        Assert.True(quality.OnReportBlock(new ReportBlock(1, 0, 0, 0, 0, 0x0000_0002, 65536), _time.GetTimestamp()));
        Assert.Equal(0, quality.RoundTripSeconds);
    }
}
