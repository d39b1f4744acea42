using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Rtcp;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

public class ReceiveStatisticsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Loss_counts_gaps_and_fraction_covers_only_the_last_interval()
    {
        var stats = new ReceiveStatistics(90000, _time);
        foreach (ushort seq in new ushort[] { 10, 11, 13, 14 })
        {
            stats.OnPacket(seq, 0, _time.GetTimestamp());
        }

        ReportBlock first = stats.TakeReportBlock(0x1234, _time.GetTimestamp());
        for (ushort seq = 15; seq < 25; seq++)
        {
            stats.OnPacket(seq, 0, _time.GetTimestamp());
        }

        ReportBlock second = stats.TakeReportBlock(0x1234, _time.GetTimestamp());

        Assert.Equal(1, first.CumulativeLost);
        Assert.Equal(14u, first.ExtendedHighestSequenceNumber);
        Assert.Equal(256 / 5, first.FractionLost); // 1 of 5 expected, in 1/256 units (RFC 3550 §6.4.1)
        Assert.Equal(0, second.FractionLost);
        Assert.Equal(1, second.CumulativeLost);
    }

    [Fact]
    public void Extended_highest_sequence_number_counts_wraps()
    {
        var stats = new ReceiveStatistics(48000, _time);
        stats.OnPacket(65534, 0, 0);
        stats.OnPacket(65535, 0, 0);
        stats.OnPacket(0, 0, 0);

        Assert.Equal(65536u, stats.TakeReportBlock(1, 0).ExtendedHighestSequenceNumber);
    }

    [Fact]
    public void Jitter_is_zero_for_perfectly_paced_packets_and_grows_with_irregular_arrival()
    {
        var steady = new ReceiveStatistics(48000, _time);
        var bumpy = new ReceiveStatistics(48000, _time);
        uint ts = 0;
        for (ushort seq = 0; seq < 50; seq++)
        {
            steady.OnPacket(seq, ts, _time.GetTimestamp());
            bumpy.OnPacket(seq, ts, _time.GetTimestamp() + (seq % 2 == 0 ? 0 : _time.TimestampFrequency / 100));
            ts += 960;
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(0u, steady.Jitter);
        Assert.InRange(bumpy.Jitter, 300u, 480u); // converges toward |D| = 10 ms = 480 units
    }

    [Fact]
    public void Delay_since_last_sender_report_is_in_65536ths_of_a_second()
    {
        var stats = new ReceiveStatistics(90000, _time);
        stats.OnPacket(1, 0, _time.GetTimestamp());
        stats.OnSenderReport(0xABCD1234, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(500));

        ReportBlock block = stats.TakeReportBlock(9, _time.GetTimestamp());

        Assert.Equal(0xABCD1234u, block.LastSenderReport);
        Assert.Equal(32768u, block.DelaySinceLastSenderReport);
    }
}
