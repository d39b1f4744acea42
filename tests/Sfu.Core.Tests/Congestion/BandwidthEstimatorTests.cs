using Sfu.Core.Congestion;

namespace Sfu.Core.Tests.Congestion;

/// <summary>
/// The estimator on a simulated path (no sockets, no clock): it finds the capacity from
/// below, follows it down within a second, comes back up, holds steady, and copes with a
/// loss-only policer.
/// </summary>
public sealed class BandwidthEstimatorTests
{
    private static BandwidthEstimator StartingAt(long bitsPerSecond) => new(new BandwidthEstimatorOptions(Initial: bitsPerSecond));

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(2_500_000)]
    [InlineData(5_000_000)]
    public void From_below_the_estimate_reaches_the_capacity_within_5_seconds_and_stays_under_it(long capacity)
    {
        var estimator = StartingAt(300_000);
        var link = new SimulatedLink(estimator) { Capacity = capacity };
        double reachedAt = double.NaN;

        link.Run(8, (now, estimate) =>
        {
            if (double.IsNaN(reachedAt) && estimate >= 0.85 * capacity)
            {
                reachedAt = now / 1e6;
            }
        });

        Assert.InRange(reachedAt, 0, 5);
    }

    [Fact]
    public void When_the_capacity_halves_the_estimate_is_below_it_within_a_second()
    {
        var estimator = StartingAt(300_000);
        var link = new SimulatedLink(estimator) { Capacity = 3_000_000 };
        link.Run(10);
        Assert.InRange(estimator.Target, 2_000_000, 3_600_000);

        link.Capacity = 1_500_000;
        double below = double.NaN;
        long start = link.NowMicros;
        link.Run(3, (now, estimate) =>
        {
            if (double.IsNaN(below) && estimate < link.Capacity)
            {
                below = (now - start) / 1e6;
            }
        });

        Assert.InRange(below, 0, 1);
    }

    [Fact]
    public void After_the_capacity_returns_the_estimate_recovers()
    {
        var estimator = StartingAt(300_000);
        var link = new SimulatedLink(estimator) { Capacity = 3_000_000 };
        link.Run(10);
        link.Capacity = 1_000_000;
        link.Run(5);
        Assert.True(estimator.Target < 1_100_000, $"estimate {estimator.Target} did not follow the capacity down");

        // Without probes the estimate climbs 8 % a second (GoogCC's ramp-up): from 1 to 3
        // Mbit/s is ~15 s once the queue has drained.
        link.Capacity = 3_000_000;
        link.Run(25);

        Assert.True(estimator.Target >= 0.85 * 3_000_000, $"estimate {estimator.Target} did not come back");
    }

    [Fact]
    public void At_steady_state_the_estimate_stays_within_15_percent_of_its_mean()
    {
        var estimator = StartingAt(300_000);
        var link = new SimulatedLink(estimator) { Capacity = 2_000_000 };
        link.Run(15);
        var samples = new List<long>();

        link.Run(20, (_, estimate) => samples.Add(estimate));

        double mean = samples.Average();
        Assert.All(samples, s => Assert.InRange(s, 0.85 * mean, 1.15 * mean));
        Assert.InRange(mean, 0.8 * 2_000_000, 1.1 * 2_000_000);
    }

    [Fact]
    public void A_policer_that_drops_instead_of_queuing_is_found_by_the_loss()
    {
        var estimator = StartingAt(3_000_000);
        var link = new SimulatedLink(estimator) { Capacity = 1_000_000, Policer = true };

        link.Run(15);

        Assert.InRange(estimator.Target, 500_000, 1_300_000);
    }

    [Fact]
    public void A_sender_that_does_not_use_the_estimate_does_not_grow_it_without_bound()
    {
        var estimator = StartingAt(1_000_000);
        var link = new SimulatedLink(estimator) { Capacity = 50_000_000, Demand = 400_000 };

        link.Run(30);

        Assert.InRange(estimator.Target, 400_000, 1_100_000);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_overuse_a_probe_that_filled_the_path_caused_cuts_no_lower_than_what_the_path_delivered(bool probeResult)
    {
        // An application-limited sender (400 kbit/s on a 600 kbit/s path), then a probe: a third
        // of a second at 1.2 Mbit/s, which fills the queue. The probe measured the path: 95 % of
        // the 600k it delivered. Without that result the cut goes by what was acked, which
        // averages the probe with the little sent before it.
        var estimator = StartingAt(550_000);
        var link = new SimulatedLink(estimator) { Capacity = 600_000, Demand = 400_000, PropagationMicros = 1_000, MaxQueueMicros = 500_000 };
        link.Run(10);
        link.Demand = 1_200_000;
        link.Run(0.3);
        if (probeResult)
        {
            estimator.OnProbeResult(570_000, saturated: true);
        }

        link.Demand = 400_000;
        long lowest = long.MaxValue;
        link.Run(3, (_, target) => lowest = Math.Min(lowest, target));

        if (probeResult)
        {
            Assert.True(lowest >= 570_000, $"lowest {lowest}");
        }
        else
        {
            Assert.True(lowest < 540_000, $"lowest {lowest}");   // what the floor prevents
        }
    }
}
