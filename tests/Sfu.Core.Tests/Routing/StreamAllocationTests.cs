using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

/// <summary>The stream allocator's decisions as a table: budgets against layer sets and priorities.</summary>
public sealed class StreamAllocationTests
{
    private static readonly long[] Simulcast = [150_000, 500_000, 1_500_000];
    private static readonly long[] Audio = [50_000];
    private static readonly long[] Single = [1_000_000];

    private static int[] Run(long budget, params TrackDemand[] tracks)
    {
        int[] layers = new int[tracks.Length];
        StreamAllocation.Allocate(budget, tracks, layers);
        return layers;
    }

    private static TrackDemand Camera(int priority = 2, int requested = 2, int current = 2) => new(false, priority, Simulcast, requested, current);

    private static TrackDemand Voice() => new(true, 0, Audio, 0, 0);

    [Theory]
    // budget, expected layers of [audio, camera]
    [InlineData(10_000_000, new[] { 0, 2 })]
    [InlineData(1_540_000, new[] { 0, 1 })]   // the top needs 1.5M on top of the audio: just short
    [InlineData(600_000, new[] { 0, 1 })]
    [InlineData(300_000, new[] { 0, 0 })]
    [InlineData(150_000, new[] { 0, -1 })]   // not even the lowest layer: paused, the audio stays
    [InlineData(10_000, new[] { 0, -1 })]    // audio is never paused, even over budget
    public void Audio_first_then_the_highest_video_layer_that_fits(long budget, int[] expected)
        => Assert.Equal(expected, Run(budget, Voice(), Camera()));

    [Fact]
    public void Every_camera_gets_its_lowest_layer_before_any_gets_a_second_one()
    {
        int[] layers = Run(850_000, Camera(), Camera(), Camera());

        Assert.Equal([1, 0, 0], layers);   // 3 × 150k, then 350k more: one step up for the first only
    }

    [Fact]
    public void A_screen_share_and_the_speaker_come_before_other_cameras()
    {
        TrackDemand other = Camera(priority: 2);
        TrackDemand speaker = Camera(priority: 1);
        TrackDemand screen = new(false, 0, Single, 0, 0);

        int[] layers = Run(1_200_000, other, speaker, screen);

        Assert.Equal([-1, 0, 0], layers);   // the screen takes 1M, the speaker the lowest layer; nothing for the rest
    }

    [Fact]
    public void Nobody_gets_more_than_it_asked_for_and_a_track_nobody_wants_gets_nothing()
    {
        int[] layers = Run(10_000_000, Camera(requested: 0), Camera(requested: -1), new TrackDemand(true, 0, Audio, -1, -1));

        Assert.Equal([0, -1, -1], layers);
    }

    [Theory]
    // budget, current layer, expected: going up needs 15 % headroom over the step; staying does not
    [InlineData(550_000, 0, 0)]   // 500k fits, but not with the headroom to go up from 0
    [InlineData(580_000, 0, 1)]
    [InlineData(550_000, 1, 1)]   // already on layer 1: it stays
    [InlineData(160_000, -1, -1)] // paused: coming back needs 172.5k
    [InlineData(175_000, -1, 0)]
    public void Going_above_what_is_sent_now_needs_headroom(long budget, int current, int expected)
        => Assert.Equal([expected], Run(budget, Camera(requested: 2, current: current)));
}
