using System.Diagnostics;
using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

public sealed class HelperJobGapsTests
{
    private static long Microseconds(int us) => Stopwatch.Frequency * us / 1_000_000;

    [Fact]
    public void A_helper_that_has_seen_no_job_sleeps_at_once()
    {
        Assert.Equal(0, default(HelperJobGaps).SpinTicks);
    }

    [Fact]
    public void Short_gaps_make_it_spin_a_little_longer_than_they_last_and_never_past_the_cap()
    {
        var gaps = new HelperJobGaps();
        for (int i = 0; i < 20; i++)
        {
            gaps.Observe(Microseconds(10));
        }

        Assert.InRange(gaps.SpinTicks, Microseconds(10), Microseconds(20));

        for (int i = 0; i < 20; i++)
        {
            gaps.Observe(Microseconds(35));
        }

        Assert.Equal(HelperJobGaps.MaxSpinTicks, gaps.SpinTicks);
    }

    [Fact]
    public void Long_gaps_stop_the_spin_and_short_ones_bring_it_back()
    {
        var gaps = new HelperJobGaps();
        for (int i = 0; i < 20; i++)
        {
            gaps.Observe(Microseconds(5));
        }

        Assert.True(gaps.SpinTicks > 0);

        // One packet a millisecond, the helper's share done in a fraction of it.
        int observed = 0;
        while (gaps.SpinTicks > 0)
        {
            gaps.Observe(Microseconds(800));
            observed++;
        }

        Assert.InRange(observed, 1, 3);

        // An idle minute weighs no more than a few long gaps: saturation brings the spin back
        // within a few dozen jobs, each gap measured across a sleep (wake-up included).
        gaps.Observe(Microseconds(60_000_000));
        observed = 0;
        while (gaps.SpinTicks == 0)
        {
            gaps.Observe(Microseconds(25));
            observed++;
        }

        Assert.InRange(observed, 1, 40);
    }
}
