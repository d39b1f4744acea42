using Sfu.Core.Routing;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Routing;

public class ForwarderTests
{
    private static Forwarder New(bool isVideo, ushort initialSequenceNumber, uint initialTimestamp)
        => new(isVideo, new SequenceTranslator(initialSequenceNumber, initialTimestamp));

    [Fact]
    public void Audio_starts_on_the_first_packet_at_the_chosen_initial_values()
    {
        var forwarder = New(false, 1000, 5000);

        ForwardDecision first = forwarder.Decide(sequenceNumber: 42, timestamp: 960_000, payloadType: 111, isKeyframe: false);
        ForwardDecision second = forwarder.Decide(sequenceNumber: 43, timestamp: 960_960, payloadType: 111, isKeyframe: false);

        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 1000, 5000, 111, false), first);
        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 1001, 5960, 111, false), second);
    }

    [Fact]
    public void Video_waits_for_a_keyframe_and_asks_for_one()
    {
        var forwarder = New(true, 7, 0);

        ForwardDecision delta = forwarder.Decide(100, 9000, 96, isKeyframe: false);
        ForwardDecision key = forwarder.Decide(101, 12000, 96, isKeyframe: true);
        ForwardDecision next = forwarder.Decide(102, 12000, 96, isKeyframe: false);

        Assert.Equal(ForwardAction.DropWaitingForKeyframe, delta.Action);
        Assert.True(delta.RequestKeyframe);
        Assert.Equal((ushort)7, key.SequenceNumber);
        Assert.Equal((ushort)8, next.SequenceNumber);
        Assert.Equal(0u, next.Timestamp);
    }

    [Theory]
    // publisher seq, subscriber's initial seq, second publisher seq, expected second output
    [InlineData(65535, 10, 0, 11)]       // the publisher wraps
    [InlineData(5, 65535, 6, 0)]         // the subscriber's numbering wraps
    [InlineData(65000, 65534, 65003, 1)] // both, with a gap of three
    public void Sequence_numbers_wrap_modulo_2_16(int first, int initial, int second, int expected)
    {
        var forwarder = New(false, (ushort)initial, 0);
        forwarder.Decide((ushort)first, 0, 0, false);

        Assert.Equal((ushort)expected, forwarder.Decide((ushort)second, 0, 0, false).SequenceNumber);
    }

    [Fact]
    public void Timestamps_wrap_modulo_2_32()
    {
        var forwarder = New(false, 0, uint.MaxValue - 100);
        forwarder.Decide(1, 0, 0, false);

        Assert.Equal(859u, forwarder.Decide(2, 960, 0, false).Timestamp);
    }

    [Fact]
    public void A_codec_the_subscriber_lacks_is_dropped_without_starting()
    {
        var forwarder = New(false, 0, 0);

        Assert.Equal(ForwardAction.DropUnsupportedCodec, forwarder.Decide(1, 0, payloadType: null, false).Action);
        Assert.False(forwarder.Started);
    }

    [Fact]
    public void After_a_pause_video_resumes_on_a_keyframe_numbered_right_after_the_last_packet_sent()
    {
        var forwarder = New(true, 500, 1000);
        forwarder.Decide(10, 90_000, 96, isKeyframe: true);   // 500
        forwarder.Decide(11, 93_000, 96, isKeyframe: false);  // 501
        forwarder.Resume();

        // 300 packets went by unseen while paused; a delta frame cannot start the decoder again.
        ForwardDecision delta = forwarder.Decide(312, 990_000, 96, isKeyframe: false);
        ForwardDecision key = forwarder.Decide(313, 993_000, 96, isKeyframe: true);
        ForwardDecision next = forwarder.Decide(314, 993_000, 96, isKeyframe: false);

        Assert.Equal(ForwardDecision.Drop(ForwardAction.DropWaitingForKeyframe, requestKeyframe: true), delta);
        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 502, 1000 + 903_000, 96, false), key);
        Assert.Equal((ushort)503, next.SequenceNumber);
    }

    [Fact]
    public void Audio_resumes_on_the_next_packet_and_timestamps_show_the_time_that_passed()
    {
        var forwarder = New(false, 65535, 0);
        forwarder.Decide(1, 960, 111, false);   // 65535
        forwarder.Resume();

        ForwardDecision resumed = forwarder.Decide(251, 960 * 251, 111, false);

        Assert.Equal((ushort)0, resumed.SequenceNumber);
        Assert.Equal(960u * 250, resumed.Timestamp);
    }

    [Fact]
    public void A_late_packet_from_before_the_resume_is_dropped_and_not_renumbered_onto_one_already_sent()
    {
        var forwarder = New(false, 100, 0);
        forwarder.Decide(10, 0, 111, false);   // 100
        forwarder.Resume();
        forwarder.Decide(50, 0, 111, false);   // 101

        Assert.Equal(ForwardAction.DropOlderThanResume, forwarder.Decide(49, 0, 111, false).Action);
        Assert.Equal((ushort)102, forwarder.Decide(51, 0, 111, false).SequenceNumber);

        // Long after the resume, the 16-bit comparison would wrap: the check is gone by then.
        ushort source = 51;
        for (int i = 0; i < 40_000; i++)
        {
            source++;
            Assert.Equal(ForwardAction.Forward, forwarder.Decide(source, 0, 111, false).Action);
        }
    }

    [Fact]
    public void A_packet_in_a_codec_the_subscriber_lacks_leaves_no_gap_in_the_numbering()
    {
        Forwarder forwarder = New(false, 700, 0);
        forwarder.Decide(1, 0, 111, false);                       // 700
        ForwardDecision red = forwarder.Decide(2, 0, null, false); // e.g. RED the subscriber did not take

        Assert.Equal(ForwardAction.DropUnsupportedCodec, red.Action);
        Assert.Equal((ushort)701, forwarder.Decide(3, 0, 111, false).SequenceNumber);
    }
}
