using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

public sealed class FanOutShardSizeTests
{
    [Theory]
    [InlineData(50, 2, 16, 7)] // 8 shards: four each, the last of one down-track
    [InlineData(200, 2, 16, 16)] // capped: 13 shards
    [InlineData(17, 2, 16, 4)] // never below the least
    [InlineData(1000, 16, 16, 16)]
    [InlineData(300, 16, 16, 5)] // sixteen threads: shorter shards, so each gets some
    [InlineData(40, 2, 8, 5)]
    [InlineData(50, 2, 2, 2)] // a configured size under the least is kept
    public void A_fan_out_is_cut_in_about_four_shards_a_thread_within_the_bounds(int downTracks, int threads, int largest, int expected)
    {
        Assert.Equal(expected, FanOutWorkers.ShardSizeFor(downTracks, threads, largest));
    }
}
