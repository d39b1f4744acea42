using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Congestion;
using Sfu.Core.Feedback;

namespace Sfu.Core.Tests.Feedback;

/// <summary>
/// Probing on simulated time: when it starts, how much padding it asks for and how much it can
/// send on audio alone, how its result is read against what it really sent, the back-off after a
/// failure and the prompt probe after a pause.
/// </summary>
public sealed class ProbeControllerTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>
    /// What feedback would say of a probe's packets: <paramref name="count"/> of them sent evenly
    /// over 500 ms, delivered evenly over <paramref name="arrivalSpanMicros"/>, the first
    /// <paramref name="lost"/> of them lost.
    /// </summary>
    private static PacketResult[] Delivered(int count, int size, long arrivalSpanMicros, int lost = 0)
        => [.. Enumerable.Range(0, count).Select(i => new PacketResult(i * 500_000L / count, size, i >= lost, 10_000_000 + (i * arrivalSpanMicros / count), Probe: true))];

    /// <summary>Runs one probe toward 1 Mbit/s from a 500 kbit/s estimate to its end: <paramref name="packets"/> sent.</summary>
    private ProbeController RunProbe(int packets)
    {
        var probe = new ProbeController(_time);
        probe.Want(2_000_000, 500_000, 450_000);
        Assert.True(probe.IsProbing);
        for (int i = 0; i < packets; i++)
        {
            probe.OnSent(625, padding: i % 2 == 0);
        }

        _time.Advance(ProbeController.Duration);
        probe.Owed(_time.GetTimestamp());
        return probe;
    }

    [Fact]
    public void A_probe_starts_only_when_more_is_wanted_than_estimated_and_pads_up_to_its_rate()
    {
        var probe = new ProbeController(_time);
        probe.Want(wanted: 400_000, estimate: 500_000, sending: 400_000);
        Assert.False(probe.IsProbing);

        probe.Want(wanted: 2_000_000, estimate: 500_000, sending: 450_000);
        Assert.True(probe.IsProbing);
        Assert.Equal(1_000_000, probe.Target);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        // Target min(2.2M, max(1M, 800k)) = 1M: 550k of padding a second, 6,875 bytes per 100 ms.
        Assert.Equal(6_875, probe.Owed(_time.GetTimestamp()));
        _time.Advance(ProbeController.Duration);
        Assert.Equal(0, probe.Owed(_time.GetTimestamp()));
        Assert.False(probe.IsProbing);
    }

    [Fact]
    public void On_audio_alone_padding_reaches_a_probe_rate_that_shows_a_paused_video_fits()
    {
        // Only audio flows (a packet every 20 ms): the padding after each packet must carry a
        // probe toward the 1.95 Mbit/s that resuming a 1.5 Mbit/s video needs (1.775 Mbit/s with
        // the allocator's headroom, and the overshoot), from an estimate of 1 Mbit/s.
        var probe = new ProbeController(_time);
        probe.Want(wanted: 1_775_000, estimate: 1_000_000, sending: 50_000);
        Assert.Equal(1_952_500, probe.Target);
        long padding = 0;
        while (probe.IsProbing)
        {
            long now = _time.GetTimestamp();
            probe.OnSent(125, padding: false);
            for (int i = 0; probe.PaddingDue(now, i, ProbeController.PaddingSize); i++)
            {
                probe.OnSent(ProbeController.PaddingSize, padding: true);
                padding += ProbeController.PaddingSize;
            }

            _time.Advance(TimeSpan.FromMilliseconds(20));
        }

        long rate = padding * 8 * 1000 / (long)ProbeController.Duration.TotalMilliseconds;
        Assert.True(rate >= 0.95 * (probe.Target - 50_000), $"padding {rate} bit/s for a probe toward {probe.Target}");
    }

    /// <summary>
    /// The verdict from what the probe really sent and what arrived: sent packets of 625 bytes
    /// over 500 ms (100 are 1 Mbit/s, its full target), delivered over a span, some lost.
    /// </summary>
    [Theory]
    [InlineData(100, 500_000, 0, "Normal", true, 1_000_000)]       // all it aimed at, at the pace sent
    [InlineData(40, 500_000, 0, "Normal", true, 400_000)]          // fell short of its target, but the path kept up: a success
    [InlineData(70, 540_000, 0, "Normal", true, 648_000)]          // a little slower than sent: still 90 %
    [InlineData(100, 1_000_000, 0, "Normal", false, 475_000)]      // the path carried half: full there, 95 % of it
    [InlineData(100, 500_000, 10, "Normal", false, 855_000)]       // 10 % lost
    [InlineData(100, 500_000, 0, "Overusing", false, 950_000)]     // a queue grew
    public void A_probe_is_judged_by_what_it_sent_and_lifts_the_estimate_to_what_the_path_delivered(
        int sent, long arrivalSpanMicros, int lost, string usage, bool success, long expected)
    {
        ProbeController probe = RunProbe(sent);

        long result = probe.OnResults(Delivered(sent, 625, arrivalSpanMicros, lost), Enum.Parse<BandwidthUsage>(usage));

        Assert.Equal(success ? 1 : 0, probe.Succeeded);
        Assert.InRange(result, expected * 0.95, expected * 1.05);
    }

    [Fact]
    public void Feedback_that_arrives_while_the_probe_still_runs_counts()
    {
        var probe = new ProbeController(_time);
        probe.Want(2_000_000, 500_000, 450_000);
        PacketResult[] results = Delivered(100, 625, 500_000);
        for (int i = 0; i < 100; i++)
        {
            probe.OnSent(625, padding: true);
        }

        // The first half is reported on before the probe ends, the rest after.
        Assert.Equal(0, probe.OnResults(results.AsSpan(..50), BandwidthUsage.Normal));
        _time.Advance(ProbeController.Duration);
        probe.Owed(_time.GetTimestamp());

        Assert.InRange(probe.OnResults(results.AsSpan(50..), BandwidthUsage.Normal), 950_000, 1_050_000);
    }

    [Fact]
    public void A_failed_probe_backs_off_three_seconds_then_longer_and_a_pause_probes_within_a_second()
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
            probe.OnResults(Delivered(100, 625, 1_000_000), BandwidthUsage.Normal);
            Assert.Equal(0, probe.Succeeded);
            long before = _time.GetTimestamp();
            if (round == 2)
            {
                probe.OnPaused();
            }

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
        Assert.InRange(waits[2].TotalSeconds, 0.9, 1.2);
    }

    [Fact]
    public void After_a_failed_probe_for_the_top_layer_a_smaller_step_is_probed_within_a_second()
    {
        // A probe for the top layer (a 1.7 Mbit/s budget) fails on a narrow path; the estimate
        // falls and the allocation with it, to the lowest layer. Its next step, the middle layer,
        // needs 470 kbit/s: that is not what failed, and it must not wait out the top layer's back-off.
        var probe = new ProbeController(_time);
        probe.Want(wanted: 1_700_000, estimate: 500_000, sending: 420_000);
        for (int i = 0; i < 100; i++)
        {
            probe.OnSent(625, padding: true);
        }

        _time.Advance(ProbeController.Duration);
        probe.Owed(_time.GetTimestamp());
        probe.OnResults(Delivered(100, 625, 1_000_000), BandwidthUsage.Overusing);
        Assert.Equal(0, probe.Succeeded);

        probe.Want(wanted: 1_700_000, estimate: 400_000, sending: 140_000);
        Assert.False(probe.IsProbing);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        probe.Want(wanted: 470_000, estimate: 400_000, sending: 140_000);
        Assert.False(probe.IsProbing);   // not at once: the queue the failed probe built drains first

        _time.Advance(ProbeController.AfterPause);
        probe.Want(wanted: 1_700_000, estimate: 400_000, sending: 140_000);
        Assert.False(probe.IsProbing);   // the top layer still waits
        probe.Want(wanted: 470_000, estimate: 400_000, sending: 140_000);
        Assert.True(probe.IsProbing);
        Assert.Equal(517_000, probe.Target);
    }

    [Fact]
    public void A_capped_probe_that_succeeds_is_followed_at_once_and_one_that_reached_its_goal_waits()
    {
        // Wanted 2M from an estimate of 500k: the probe is capped at 1M (twice the estimate).
        ProbeController probe = RunProbe(100);
        Assert.Equal(1_000_000, probe.Target);
        long delivered = probe.OnResults(Delivered(100, 625, 500_000), BandwidthUsage.Normal);
        Assert.Equal(1, probe.Succeeded);

        probe.Want(2_000_000, delivered, 450_000);
        Assert.True(probe.IsProbing, "a capped success did not go on from the estimate it lifted");
        Assert.InRange(probe.Target, 2_000_000, 2_050_000);   // twice what the first one delivered

        // The path carries all of it and more: what is wanted is shown, so the next one waits.
        for (int i = 0; i < 200; i++)
        {
            probe.OnSent(1250, padding: true);
        }

        _time.Advance(ProbeController.Duration);
        probe.Owed(_time.GetTimestamp());
        Assert.True(probe.OnResults(Delivered(200, 1250, 500_000), BandwidthUsage.Normal) >= 2_000_000);
        probe.Want(3_000_000, 2_000_000, 1_500_000);
        Assert.False(probe.IsProbing);
    }
}
