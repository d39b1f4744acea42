using Sfu.Core.Congestion;

namespace Sfu.Core.Tests.Congestion;

/// <summary>
/// The whole downlink loop (feedback → estimate → allocation → probes) on a simulated path:
/// a bottleneck pauses the video and keeps it paused, it comes back once the path does, and a
/// loaded receiver's stalls — which look like a queue for a moment — do not leave it paused.
/// </summary>
public sealed class DownlinkLoopTests
{
    /// <summary>A receiver on a loaded machine: every <paramref name="periodMicros"/> it stops reading for <paramref name="stallMicros"/>.</summary>
    private static Func<long, long> Stalls(long periodMicros, long stallMicros, long untilMicros = long.MaxValue)
        => arrival => arrival < untilMicros && arrival % periodMicros < stallMicros ? arrival - (arrival % periodMicros) + stallMicros : arrival;

    [Fact]
    public void A_path_that_cannot_carry_the_video_pauses_it_keeps_audio_and_does_not_flap()
    {
        var subscriber = new SimulatedSubscriber { Capacity = 600_000 };
        subscriber.Run(3);
        Assert.False(subscriber.VideoOn, $"estimate {subscriber.Downlink.Target}");
        int resumes = subscriber.Resumes;

        subscriber.Run(20);

        Assert.False(subscriber.VideoOn);
        Assert.True(subscriber.Resumes - resumes <= 1, $"{subscriber.Resumes - resumes} resumes in 20 s");
        Assert.InRange(subscriber.Downlink.Target, 200_000, 700_000);
        Assert.True(subscriber.Downlink.Probe.Started >= 2, "no probes while the video was paused");
    }

    [Fact]
    public void When_the_bottleneck_lifts_probes_bring_the_video_back()
    {
        var subscriber = new SimulatedSubscriber { Capacity = 600_000 };
        subscriber.Run(10);
        Assert.False(subscriber.VideoOn);

        subscriber.Capacity = 10_000_000;
        double backAt = double.NaN;
        long start = subscriber.NowMicros;
        subscriber.Run(25, s =>
        {
            if (double.IsNaN(backAt) && s.VideoOn)
            {
                backAt = (s.NowMicros - start) / 1e6;
            }
        });

        Assert.InRange(backAt, 0, 20);
        Assert.True(subscriber.VideoOn);
    }

    [Fact]
    public void With_only_audio_flowing_a_probe_pads_enough_to_show_the_video_fits()
    {
        // A paused video leaves 50 kbit/s of audio to carry padding: a probe must still reach
        // the 1.7 Mbit/s the video needs (with headroom) for it to resume.
        var subscriber = new SimulatedSubscriber { Capacity = 600_000 };
        subscriber.Run(5);
        Assert.False(subscriber.VideoOn);
        subscriber.Capacity = 10_000_000;

        subscriber.Run(15);

        Assert.True(subscriber.Downlink.Probe.LastSent >= 1_500_000, $"the last probe sent {subscriber.Downlink.Probe.LastSent}");
        Assert.True(subscriber.Downlink.Target >= 1_700_000, $"estimate {subscriber.Downlink.Target}");
    }

    [Theory]
    [InlineData(400_000, 40_000)]
    [InlineData(500_000, 80_000)]
    [InlineData(1_000_000, 150_000)]
    public void Receiver_stalls_on_a_wide_path_do_not_leave_the_video_paused(long periodMicros, long stallMicros)
    {
        // Ten seconds of a loaded receiver, then ten of a quiet one, on a path with room to spare.
        var subscriber = new SimulatedSubscriber { Capacity = 20_000_000, ReceiverStall = Stalls(periodMicros, stallMicros, untilMicros: 10_000_000) };
        int on = 0;
        int samples = 0;
        subscriber.Run(10, s =>
        {
            samples++;
            on += s.VideoOn ? 1 : 0;
        });
        int pausesUnderLoad = subscriber.Pauses;

        double offAfter = 0;
        subscriber.Run(10, s => offAfter += s.VideoOn || s.NowMicros < 15_000_000 ? 0 : 0.1);

        string numbers = $"video on {on} of {samples} samples under load, {pausesUnderLoad} pauses, estimate {subscriber.Downlink.Target}, "
            + $"{subscriber.Downlink.Probe.Started} probes ({subscriber.Downlink.Probe.Succeeded} succeeded)";
        Assert.True(subscriber.VideoOn, numbers);
        Assert.True(offAfter == 0, $"paused {offAfter:0.0} s of the last 5 s; {numbers}");
        Assert.True(on >= samples / 2, numbers);
    }

    [Fact]
    public void Application_limited_on_the_lowest_layer_probes_find_the_middle_one_and_the_estimate_nears_the_path()
    {
        // A 600 kbit/s path and a simulcast video (q 94k, h 375k, f 1.5M, as the load tool's
        // bots send) over 50 kbit/s of audio; the subscriber wants f. Starting from an estimate
        // that holds it on q, we send ~144 kbit/s: growth is capped at 1.5 times that, so only a
        // probe shows that h (467 kbit/s with headroom) fits. One toward f overshoots the path
        // and fails; one toward h must run anyway, and the estimate settle near the path.
        const long capacity = 600_000;
        var subscriber = new SimulatedSubscriber(new BandwidthEstimatorOptions(Initial: 360_000))
        {
            Capacity = capacity,
            VideoLayers = [94_000, 375_000, 1_500_000],
            MaxQueueMicros = 500_000,
            PropagationMicros = 500,
        };
        subscriber.Run(2);
        Assert.Equal(0, subscriber.Layer);

        List<long> estimates = [];
        List<int> layers = [];
        subscriber.Run(30, s =>
        {
            estimates.Add(s.Downlink.Target);
            layers.Add(s.Layer);
        });

        long[] last = [.. estimates.TakeLast(100).Order()];
        long median = last[last.Length / 2];
        string numbers = $"median estimate over the last 10 s {median}, layers over the last 10 s: {string.Join("", layers.TakeLast(100))}, probes {subscriber.Downlink.Probe.Started} ({subscriber.Downlink.Probe.Succeeded} succeeded)";
        Assert.InRange(median, 0.8 * capacity, 1.2 * capacity);
        Assert.True(layers.TakeLast(100).All(l => l == 1), numbers);
        Assert.True(subscriber.Downlink.Probe.Succeeded >= 1, numbers);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(500_000, 80_000, 0)]
    [InlineData(0, 0, 300_000)]
    [InlineData(0, 0, 700_000)]
    [InlineData(500_000, 80_000, 500_000)]
    public void A_link_that_narrows_under_the_top_layer_moves_to_the_middle_one_and_the_estimate_does_not_ratchet_below_it(long periodMicros, long stallMicros, long switchDelayMicros)
    {
        // Layers as a 1280x720 Chromium camera sends them (137k, 343k, 740k) over 50 kbit/s of
        // audio on a wide path; then the path narrows to 600 kbit/s with a deep queue (a tbf with
        // 500 ms of latency). The middle layer fits; each cut goes by what was acked, and once the
        // allocator has stepped down what is acked is only what we now send: cutting again from
        // that while the old queue drains would walk the estimate down a layer at a time.
        const long capacity = 600_000;
        var subscriber = new SimulatedSubscriber
        {
            VideoLayers = [137_000, 343_000, 740_000],
            MaxQueueMicros = 500_000,
            PropagationMicros = 500,
            ReceiverStall = periodMicros > 0 ? Stalls(periodMicros, stallMicros) : null,
            SwitchDelayMicros = switchDelayMicros,
        };
        subscriber.Run(3);
        Assert.Equal(2, subscriber.Layer);
        subscriber.Capacity = capacity;

        List<long> estimates = [];
        List<int> layers = [];
        subscriber.Run(15, s =>
        {
            estimates.Add(s.Downlink.Target);
            layers.Add(s.Layer);
        });

        string numbers = $"estimates {string.Join(" ", estimates.Select(e => e / 1000))}; layers {string.Join("", layers)}";
        Assert.True(estimates.Min() >= 300_000, numbers);
        Assert.True(layers.Skip(20).Count(l => l == 1) >= layers.Count * 3 / 4, numbers);
    }
}
