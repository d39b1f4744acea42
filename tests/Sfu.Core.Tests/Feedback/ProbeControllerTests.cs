using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Congestion;
using Sfu.Core.Feedback;

namespace Sfu.Core.Tests.Feedback;

/// <summary>Probing: when it starts, how much padding it asks for, how its result is read, and the back-off after a failure.</summary>
public sealed class ProbeControllerTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>What feedback would say of a probe's packets: <paramref name="count"/> of them sent over 500 ms, delivered over <paramref name="arrivalSpanMicros"/>.</summary>
    private static PacketResult[] Delivered(int count, int size, long arrivalSpanMicros, int lost = 0)
        => [.. Enumerable.Range(0, count).Select(i => new PacketResult(i * 500_000L / count, size, i >= lost, 10_000_000 + (i * arrivalSpanMicros / count), Probe: true))];

    [Fact]
    public void A_probe_starts_only_when_more_is_wanted_than_estimated_and_pads_up_to_its_rate()
    {
        var probe = new ProbeController(_time);
        probe.Want(wanted: 400_000, estimate: 500_000, sending: 400_000);
        Assert.False(probe.IsProbing);

        probe.Want(wanted: 2_000_000, estimate: 500_000, sending: 450_000);
        Assert.True(probe.IsProbing);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        // Target min(2.2M, max(1M, 800k)) = 1M: 550k of padding a second, 6,875 bytes per 100 ms.
        Assert.Equal(6_875, probe.Owed(_time.GetTimestamp()));
        _time.Advance(ProbeController.Duration);
        Assert.Equal(0, probe.Owed(_time.GetTimestamp()));
        Assert.False(probe.IsProbing);
    }

    [Fact]
    public void A_probe_the_path_delivered_raises_the_estimate_to_what_it_delivered()
    {
        var probe = new ProbeController(_time);
        probe.Want(2_000_000, 500_000, 450_000);
        for (int i = 0; i < 100; i++)
        {
            probe.OnSent(625, padding: i % 2 == 0);
        }

        _time.Advance(ProbeController.Duration);
        probe.Owed(_time.GetTimestamp());

        // 100 × 625 bytes in 500 ms is 1 Mbit/s, delivered at the same pace.
        long result = probe.OnResults(Delivered(100, 625, 500_000), BandwidthUsage.Normal);

        Assert.InRange(result, 950_000, 1_050_000);
        Assert.Equal(1, probe.Succeeded);
    }

    [Fact]
    public void A_failed_probe_backs_off_three_seconds_then_longer()
    {
        var probe = new ProbeController(_time);
        TimeSpan[] waits = new TimeSpan[3];
        for (int round = 0; round < 3; round++)
        {
            if (!probe.IsProbing)
            {
                probe.Want(2_000_000, 500_000, 450_000);
            }

            Assert.True(probe.IsProbing, $"round {round} did not start");
            for (int i = 0; i < 100; i++)
            {
                probe.OnSent(625, padding: true);
            }

            _time.Advance(ProbeController.Duration);
            probe.Owed(_time.GetTimestamp());

            // Delivered over twice the time: the path carries half of it.
            Assert.Equal(0, probe.OnResults(Delivered(100, 625, 1_000_000), BandwidthUsage.Normal));
            long before = _time.GetTimestamp();
            while (true)
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                probe.Want(2_000_000, 500_000, 450_000);
                if (probe.IsProbing)
                {
                    break;
                }
            }

            waits[round] = _time.GetElapsedTime(before);
        }

        Assert.InRange(waits[0].TotalSeconds, 2.9, 3.2);
        Assert.True(waits[1] > waits[0] * 1.4, $"{waits[1]} after {waits[0]}");
    }
}
