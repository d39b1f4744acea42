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

    /// <summary>
    /// Arrivals as "sequence@milliseconds" (a feedback leaves with the first arrival 100 ms or
    /// more after the last one), against what the feedbacks read back as, one string per
    /// feedback: "sequence:µs after the first arrival of the case" or "sequence:lost".
    /// </summary>
    [Theory]
    // The sequence numbers wrap, and 0 never arrives.
    [InlineData("65534@0 65535@10 1@20 2@30 3@100", "65534:0 65535:10000 0:lost 1:20000 2:30000 3:100000")]
    // Nothing is said of what came before the first arrival; a run of losses in between is.
    [InlineData("500@0 510@40 511@100", "500:0 501:lost 502:lost 503:lost 504:lost 505:lost 506:lost 507:lost 508:lost 509:lost 510:40000 511:100000")]
    // Reordered: the late one's arrival comes out right, through a negative delta.
    [InlineData("1@0 3@5 2@7.5 4@100", "1:0 2:7500 3:5000 4:100000")]
    // Deltas above 63.75 ms take two bytes; several packets may arrive within one 250 µs unit.
    [InlineData("1@0 2@80.25 3@80.25 4@80.5 5@100.75", "1:0 2:80250 3:80250 4:80500 5:100750")]
    // After a silence longer than a delta can say (±8.19 s), the packet goes in a feedback of its own.
    [InlineData("1@0 2@9000", "1:0", "2:9000000")]
    // A jump beyond the ring starts over: no feedback with a thousand losses.
    [InlineData("1@0 5000@100 5001@200", "1:0", "5000:100000 5001:200000")]
    public void Feedback_reports_each_arrival_and_each_gap(string arrivals, params string[] expected)
    {
        var receiver = new TransportCcReceiver(_sender, 0x51, _counters, _time);
        long start = _time.GetTimestamp();
        foreach (string arrival in arrivals.Split(' '))
        {
            string[] parts = arrival.Split('@');
            TimeSpan at = TimeSpan.FromMilliseconds(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            _time.Advance(at - _time.GetElapsedTime(start));
            receiver.OnPacket(ushort.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), 0x77, _time.GetTimestamp());
        }

        List<List<TransportWidePacketStatus>> feedbacks = [.. _sender.Sent.Select(Statuses)];
        long first = feedbacks[0].First(s => s.Received).ArrivalMicros;
        Assert.Equal(expected, feedbacks.Select(f => string.Join(' ', f.Select(s => s.Received ? $"{s.SequenceNumber}:{s.ArrivalMicros - first}" : $"{s.SequenceNumber}:lost"))));
    }

    [Fact]
    public void Each_feedback_carries_the_next_feedback_packet_count()
    {
        var receiver = new TransportCcReceiver(_sender, 0x51, _counters, _time);
        for (ushort sequence = 1; sequence <= 4; sequence++)
        {
            receiver.OnPacket(sequence, 0x77, _time.GetTimestamp());
            _time.Advance(TransportCcReceiver.Interval);
        }

        Assert.Equal([0, 1, 2], _sender.Sent.Select(p => TransportWideFeedback.TryParse(p, out TransportWideFeedback f) ? f.FeedbackPacketCount : -1));
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
