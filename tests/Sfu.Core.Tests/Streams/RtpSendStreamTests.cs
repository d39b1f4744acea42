using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Rtcp;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

/// <summary>One stream we send: its counts, its sender report (RFC 3550 §6.4.1) and resend suppression.</summary>
public sealed class RtpSendStreamTests
{
    private readonly FakeTimeProvider _time = new();

    private RtpSendStream New() => new(0xABCD, MediaKind.Video, 90000, 100, 5000, _time);

    [Fact]
    public void The_first_packet_sent_is_reported_once_and_counts_add_up()
    {
        RtpSendStream stream = New();

        Assert.True(stream.OnSent(1000));
        Assert.False(stream.OnSent(500));
        Assert.Equal(2, stream.PacketsSent);
        Assert.Equal(1500, stream.OctetsSent);
    }

    [Theory]
    // seconds since the first resend, round trip window in ms, resent again?
    [InlineData(0.010, 30, false)]  // within the window: the first copy may still be on its way
    [InlineData(0.031, 30, true)]
    [InlineData(0.0, 0, true)]
    public void A_packet_is_resent_again_only_after_the_window(double later, int windowMs, bool expected)
    {
        RtpSendStream stream = New();
        long window = (long)(windowMs / 1000.0 * _time.TimestampFrequency);
        Assert.True(stream.TryBeginResend(7, _time.GetTimestamp(), window));

        _time.Advance(TimeSpan.FromSeconds(later));

        Assert.Equal(expected, stream.TryBeginResend(7, _time.GetTimestamp(), window));
    }

    [Fact]
    public void Another_packet_in_the_same_slot_is_not_suppressed()
    {
        RtpSendStream stream = New();
        long window = _time.TimestampFrequency;
        Assert.True(stream.TryBeginResend(7, _time.GetTimestamp(), window));

        Assert.True(stream.TryBeginResend(7 + 256, _time.GetTimestamp(), window));
    }

    [Fact]
    public void The_sender_report_carries_our_ssrc_counts_and_cname()
    {
        RtpSendStream stream = New();
        stream.OnSent(100);
        stream.OnSent(200);
        Span<byte> buffer = stackalloc byte[200];

        int length = stream.WriteSenderReport(buffer, 0x1122_3344_5566_7788, 424242, "p1"u8);

        Assert.True(RtcpCompoundReader.TryCreate(buffer[..length], out RtcpCompoundReader reader) == RtcpParseResult.Ok);
        Assert.True(reader.MoveNext());
        Assert.True(SenderReport.TryParse(reader.Current.Data, out SenderReport report));
        Assert.Equal(0xABCDu, report.Ssrc);
        Assert.Equal(0x1122_3344_5566_7788UL, report.NtpTimestamp);
        Assert.Equal(424242u, report.RtpTimestamp);
        Assert.Equal(2u, report.PacketCount);
        Assert.Equal(300u, report.OctetCount);
        Assert.True(reader.MoveNext());
        Assert.Equal(RtcpPacketType.SourceDescription, reader.Current.Header.PacketType);
    }
}
