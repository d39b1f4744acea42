using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

public class ForwarderTests
{
    [Fact]
    public void Audio_starts_on_the_first_packet_at_the_chosen_initial_values()
    {
        var forwarder = new Forwarder(isVideo: false, initialSequenceNumber: 1000, initialTimestamp: 5000);

        ForwardDecision first = forwarder.Decide(sequenceNumber: 42, timestamp: 960_000, payloadType: 111, isKeyframe: false);
        ForwardDecision second = forwarder.Decide(sequenceNumber: 43, timestamp: 960_960, payloadType: 111, isKeyframe: false);

        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 1000, 5000, 111, false), first);
        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 1001, 5960, 111, false), second);
    }

    [Fact]
    public void Video_waits_for_a_keyframe_and_asks_for_one()
    {
        var forwarder = new Forwarder(isVideo: true, initialSequenceNumber: 7, initialTimestamp: 0);

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
        var forwarder = new Forwarder(isVideo: false, (ushort)initial, 0);
        forwarder.Decide((ushort)first, 0, 0, false);

        Assert.Equal((ushort)expected, forwarder.Decide((ushort)second, 0, 0, false).SequenceNumber);
    }

    [Fact]
    public void Timestamps_wrap_modulo_2_32()
    {
        var forwarder = new Forwarder(isVideo: false, 0, initialTimestamp: uint.MaxValue - 100);
        forwarder.Decide(1, 0, 0, false);

        Assert.Equal(859u, forwarder.Decide(2, 960, 0, false).Timestamp);
    }

    [Fact]
    public void A_codec_the_subscriber_lacks_is_dropped_without_starting()
    {
        var forwarder = new Forwarder(isVideo: false, 0, 0);

        Assert.Equal(ForwardAction.DropUnsupportedCodec, forwarder.Decide(1, 0, payloadType: null, false).Action);
        Assert.False(forwarder.Started);
    }
}
