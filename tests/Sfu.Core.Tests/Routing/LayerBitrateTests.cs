using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

/// <summary>A layer's measured bitrate across a pause: what the stream allocator prices the layer by.</summary>
public sealed class LayerBitrateTests
{
    private const long Frequency = 1_000_000;

    /// <summary>Sends 1,250-byte packets every 10 ms (1 Mbit/s) from <paramref name="fromMs"/> to <paramref name="toMs"/>.</summary>
    private static void Flow(LayerBitrate meter, long fromMs, long toMs)
    {
        for (long ms = fromMs; ms < toMs; ms += 10)
        {
            meter.Add(1250, ms * 1000);
        }
    }

    [Fact]
    public void A_steady_layer_measures_its_rate_after_a_whole_second()
    {
        var meter = new LayerBitrate(Frequency);
        Flow(meter, 0, 990);
        Assert.Equal(0, meter.BitsPerSecond);

        Flow(meter, 990, 3000);
        Assert.InRange(meter.BitsPerSecond, 990_000, 1_010_000);
    }

    [Theory]
    // pause (ms), then how long it flows again (ms): the rate read stays the layer's, never a few bytes over the pause
    [InlineData(5_000, 10)]      // the first packet after a dynacast pause
    [InlineData(5_000, 600)]     // the window after it is not full yet: the rate before the pause stands
    [InlineData(15_000, 1_500)]  // a full window after the pause: measured again
    [InlineData(2_500, 200)]
    public void Across_a_pause_the_rate_is_the_layer_s_not_its_last_bytes_over_the_pause(long pauseMs, long resumedMs)
    {
        var meter = new LayerBitrate(Frequency);
        Flow(meter, 0, 3_000);
        long resume = 3_000 + pauseMs;

        Flow(meter, resume, resume + resumedMs);

        Assert.InRange(meter.BitsPerSecond, 990_000, 1_010_000);
    }

    [Fact]
    public void A_keyframe_moves_the_rate_a_quarter_of_its_excess_and_the_rate_settles_back()
    {
        var meter = new LayerBitrate(Frequency);
        Flow(meter, 0, 3_010);
        Assert.InRange(meter.BitsPerSecond, 990_000, 1_010_000);

        // A 62,500-byte keyframe (half a second's worth on top of the layer's 1 Mbit/s): its
        // window reads 1.5 Mbit/s; the rate moves to about 1.125 Mbit/s, not 1.5.
        meter.Add(62_500, 3_015_000);
        Flow(meter, 3_020, 4_030);
        Assert.InRange(meter.BitsPerSecond, 1_100_000, 1_150_000);

        // Steady windows after it bring the rate back toward the layer's.
        Flow(meter, 4_030, 12_000);
        Assert.InRange(meter.BitsPerSecond, 990_000, 1_020_000);
    }

    [Fact]
    public void A_layer_that_stops_for_less_than_the_gap_keeps_its_windows()
    {
        // One frame a second (a screen share): each window holds one frame.
        var meter = new LayerBitrate(Frequency);
        for (long ms = 0; ms <= 5_000; ms += 1_000)
        {
            meter.Add(12_500, ms * 1000);
        }

        Assert.InRange(meter.BitsPerSecond, 99_000, 101_000);
    }
}
