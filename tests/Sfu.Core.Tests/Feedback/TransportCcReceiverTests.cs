using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Tests.Feedback;

/// <summary>Our transport-wide feedback to a publisher: every ~100 ms, each packet's arrival, losses marked.</summary>
public sealed class TransportCcReceiverTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingRtcpSender _sender = new();
    private readonly MediaCounters _counters = new();

    private static List<TransportWidePacketStatus> Statuses(byte[] packet)
    {
        Assert.True(TransportWideFeedback.TryParse(packet, out TransportWideFeedback feedback));
        var list = new List<TransportWidePacketStatus>();
        foreach (TransportWidePacketStatus status in feedback.Packets)
        {
            list.Add(status);
        }

        return list;
    }

    [Fact]
    public void Arrivals_are_reported_once_the_interval_passed_with_their_spacing_and_the_gaps()
    {
        var receiver = new TransportCcReceiver(_sender, 0x51, _counters, _time);
        foreach (ushort sequence in new ushort[] { 65534, 65535, 1, 2 })   // 0 never arrives; the numbers wrap
        {
            receiver.OnPacket(sequence, 0x77, _time.GetTimestamp());
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Empty(_sender.Sent);
        _time.Advance(TimeSpan.FromMilliseconds(70));
        receiver.OnPacket(3, 0x77, _time.GetTimestamp());

        List<TransportWidePacketStatus> statuses = Statuses(Assert.Single(_sender.Sent));
        Assert.Equal([65534, 65535, 0, 1, 2, 3], statuses.Select(s => (int)s.SequenceNumber));
        Assert.Equal([true, true, false, true, true, true], statuses.Select(s => s.Received));
        long[] arrivals = [.. statuses.Where(s => s.Received).Select(s => s.ArrivalMicros)];
        Assert.Equal([10_000, 10_000, 10_000, 80_000], arrivals.Zip(arrivals.Skip(1), (a, b) => b - a));
        Assert.Equal(1, _counters.TransportFeedbacksSent);
    }

    [Fact]
    public void A_late_packet_already_reported_lost_is_not_reported_again()
    {
        var receiver = new TransportCcReceiver(_sender, 0x51, _counters, _time);
        receiver.OnPacket(1, 0x77, _time.GetTimestamp());
        _time.Advance(TransportCcReceiver.Interval);
        receiver.OnPacket(3, 0x77, _time.GetTimestamp());
        receiver.OnPacket(2, 0x77, _time.GetTimestamp());
        _time.Advance(TransportCcReceiver.Interval);
        receiver.OnPacket(4, 0x77, _time.GetTimestamp());

        Assert.Equal(2, _sender.Sent.Count);
        Assert.Equal([1, 2, 3], Statuses(_sender.Sent[0]).Select(s => (int)s.SequenceNumber));
        Assert.Equal([4], Statuses(_sender.Sent[1]).Select(s => (int)s.SequenceNumber));
    }

    [Fact]
    public void A_jump_far_ahead_starts_over_rather_than_reporting_thousands_of_losses()
    {
        var receiver = new TransportCcReceiver(_sender, 0x51, _counters, _time);
        receiver.OnPacket(10, 0x77, _time.GetTimestamp());
        receiver.OnPacket(30_000, 0x77, _time.GetTimestamp());
        _time.Advance(TransportCcReceiver.Interval);
        receiver.OnPacket(30_001, 0x77, _time.GetTimestamp());

        Assert.All(_sender.Sent, p => Assert.True(Statuses(p).Count <= 2));
    }

    [Fact]
    public void Counting_arrivals_allocates_nothing()
    {
        var receiver = new TransportCcReceiver(_sender, 0x51, _counters, _time);
        ushort sequence = 0;
        _sender.IsConnected = true;

        long allocated = Allocations.Measure(() =>
        {
            receiver.OnPacket(sequence++, 0x77, _time.GetTimestamp());
            _time.Advance(TimeSpan.FromMilliseconds(1));
        });

        // The recording sender keeps a copy of each feedback; without it nothing would be allocated.
        Assert.InRange(allocated, 0, (1000 / 100 + 2) * 300);
    }
}
