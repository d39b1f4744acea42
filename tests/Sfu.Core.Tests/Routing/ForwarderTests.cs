using Sfu.Core.Routing;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// The forwarder's decisions as tables: keyframe gating, pause and resume, codec skips, and
/// simulcast layers — starting, switching up and down only at keyframes, falling back when a
/// layer stops.
/// </summary>
public class ForwarderTests
{
    private const uint AllLive = 0b111;

    private static Forwarder New(bool isVideo, ushort initialSequenceNumber, uint initialTimestamp, int layers = 1)
        => new(isVideo, new SequenceTranslator(initialSequenceNumber, initialTimestamp), layers);

    /// <summary>What the down-track does: decide, and for a re-base choose the output timestamp (here: keep the offset).</summary>
    private static ForwardDecision Step(Forwarder forwarder, ushort sequenceNumber, uint timestamp, byte? payloadType, bool isKeyframe, int layer = 0, uint live = 1, SequenceTranslator? translator = null)
    {
        ForwardDecision decision = forwarder.Decide(layer, sequenceNumber, timestamp, payloadType, isKeyframe, live);
        if (decision.Action != ForwardAction.Rebase)
        {
            return decision;
        }

        uint offset = translator?.TimestampOffset ?? 0;
        return forwarder.Rebase(decision.Layer, sequenceNumber, timestamp, unchecked(timestamp + offset), decision.PayloadType);
    }

    [Fact]
    public void Audio_starts_on_the_first_packet_at_the_chosen_initial_values()
    {
        Forwarder forwarder = New(false, 1000, 5000);

        ForwardDecision first = Step(forwarder, 42, 960_000, 111, false);
        ForwardDecision second = Step(forwarder, 43, 960_960, 111, false);

        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 1000, 5000, 111, false), first);
        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 1001, 5960, 111, false), second);
    }

    [Fact]
    public void Video_waits_for_a_keyframe_and_asks_for_one()
    {
        Forwarder forwarder = New(true, 7, 0);

        ForwardDecision delta = Step(forwarder, 100, 9000, 96, isKeyframe: false);
        ForwardDecision key = Step(forwarder, 101, 12000, 96, isKeyframe: true);
        ForwardDecision next = Step(forwarder, 102, 12000, 96, isKeyframe: false);

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
        Forwarder forwarder = New(false, (ushort)initial, 0);
        Step(forwarder, (ushort)first, 0, 0, false);

        Assert.Equal((ushort)expected, Step(forwarder, (ushort)second, 0, 0, false).SequenceNumber);
    }

    [Fact]
    public void Timestamps_wrap_modulo_2_32()
    {
        Forwarder forwarder = New(false, 0, uint.MaxValue - 100);
        Step(forwarder, 1, 0, 0, false);

        Assert.Equal(859u, Step(forwarder, 2, 960, 0, false).Timestamp);
    }

    [Fact]
    public void A_codec_the_subscriber_lacks_is_dropped_without_starting()
    {
        Forwarder forwarder = New(false, 0, 0);

        Assert.Equal(ForwardAction.DropUnsupportedCodec, Step(forwarder, 1, 0, payloadType: null, false).Action);
        Assert.False(forwarder.Started);
    }

    [Fact]
    public void After_a_pause_video_resumes_on_a_keyframe_numbered_right_after_the_last_packet_sent()
    {
        var translator = new SequenceTranslator(500, 1000);
        var forwarder = new Forwarder(true, translator);
        Step(forwarder, 10, 90_000, 96, isKeyframe: true);   // 500
        Step(forwarder, 11, 93_000, 96, isKeyframe: false);  // 501
        forwarder.Resume();

        // 300 packets went by unseen while paused; a delta frame cannot start the decoder again.
        ForwardDecision delta = Step(forwarder, 312, 990_000, 96, isKeyframe: false, translator: translator);
        ForwardDecision key = Step(forwarder, 313, 993_000, 96, isKeyframe: true, translator: translator);
        ForwardDecision next = Step(forwarder, 314, 993_000, 96, isKeyframe: false, translator: translator);

        Assert.Equal(ForwardDecision.Drop(ForwardAction.DropWaitingForKeyframe, requestKeyframe: true), delta);
        Assert.Equal(new ForwardDecision(ForwardAction.Forward, 502, 1000 + 903_000, 96, false), key);
        Assert.Equal((ushort)503, next.SequenceNumber);
    }

    [Fact]
    public void Audio_resumes_on_the_next_packet_and_timestamps_show_the_time_that_passed()
    {
        var translator = new SequenceTranslator(65535, 0);
        var forwarder = new Forwarder(false, translator);
        Step(forwarder, 1, 960, 111, false);   // 65535
        forwarder.Resume();

        ForwardDecision resumed = Step(forwarder, 251, 960 * 251, 111, false, translator: translator);

        Assert.Equal((ushort)0, resumed.SequenceNumber);
        Assert.Equal(960u * 250, resumed.Timestamp);
    }

    [Fact]
    public void A_late_packet_from_before_the_resume_is_dropped_and_not_renumbered_onto_one_already_sent()
    {
        var translator = new SequenceTranslator(100, 0);
        var forwarder = new Forwarder(false, translator);
        Step(forwarder, 10, 0, 111, false);   // 100
        forwarder.Resume();
        Step(forwarder, 50, 0, 111, false, translator: translator);   // 101

        Assert.Equal(ForwardAction.DropOlderThanResume, Step(forwarder, 49, 0, 111, false).Action);
        Assert.Equal((ushort)102, Step(forwarder, 51, 0, 111, false).SequenceNumber);

        // Long after the resume, the 16-bit comparison would wrap: the check is gone by then.
        ushort source = 51;
        for (int i = 0; i < 40_000; i++)
        {
            source++;
            Assert.Equal(ForwardAction.Forward, Step(forwarder, source, 0, 111, false).Action);
        }
    }

    [Fact]
    public void A_packet_in_a_codec_the_subscriber_lacks_leaves_no_gap_in_the_numbering()
    {
        Forwarder forwarder = New(false, 700, 0);
        Step(forwarder, 1, 0, 111, false);                       // 700
        ForwardDecision red = Step(forwarder, 2, 0, null, false); // e.g. RED the subscriber did not take

        Assert.Equal(ForwardAction.DropUnsupportedCodec, red.Action);
        Assert.Equal((ushort)701, Step(forwarder, 3, 0, 111, false).SequenceNumber);
    }

    [Theory]
    // wanted layer, live layers (bits), expected target
    [InlineData(2, 0b111, 2)]
    [InlineData(2, 0b011, 1)]   // the top layer stopped: the next one down
    [InlineData(1, 0b111, 1)]
    [InlineData(0, 0b110, 1)]   // nothing live at or below the wanted layer: the lowest live one
    [InlineData(2, 0b000, 2)]   // nothing live at all: keep the wish
    public void The_target_is_the_highest_live_layer_not_above_the_wanted_one(int wanted, uint live, int expected)
    {
        Forwarder forwarder = New(true, 0, 0, layers: 3);
        forwarder.SetWantedLayer(wanted);

        Assert.Equal(expected, forwarder.Target(live));
    }

    [Fact]
    public void A_simulcast_subscriber_starts_on_a_keyframe_of_its_target_and_ignores_the_other_layers()
    {
        Forwarder forwarder = New(true, 0, 0, layers: 3);
        forwarder.SetWantedLayer(1);

        ForwardDecision higher = Step(forwarder, 10, 0, 96, isKeyframe: true, layer: 2, live: AllLive);
        ForwardDecision lower = Step(forwarder, 20, 0, 96, isKeyframe: true, layer: 0, live: AllLive);
        ForwardDecision target = Step(forwarder, 30, 0, 96, isKeyframe: true, layer: 1, live: AllLive);
        ForwardDecision other = Step(forwarder, 11, 0, 96, isKeyframe: false, layer: 2, live: AllLive);

        Assert.Equal(ForwardAction.DropOtherLayer, higher.Action);
        Assert.Equal(ForwardAction.DropOtherLayer, lower.Action);
        Assert.Equal((ForwardAction.Forward, 1), (target.Action, target.Layer));
        Assert.Equal((ForwardAction.DropOtherLayer, false), (other.Action, other.RequestKeyframe));
        Assert.Equal(1, forwarder.CurrentLayer);
    }

    [Fact]
    public void When_the_wanted_layer_does_not_arrive_the_subscriber_starts_on_a_lower_one()
    {
        Forwarder forwarder = New(true, 0, 0, layers: 3);
        forwarder.SetWantedLayer(1);

        ForwardDecision lower = Step(forwarder, 20, 0, 96, isKeyframe: true, layer: 0, live: 0b101);

        Assert.Equal((ForwardAction.Forward, 0), (lower.Action, lower.Layer));
    }

    [Fact]
    public void Going_up_waits_for_a_keyframe_of_the_target_and_asks_for_it_meanwhile()
    {
        Forwarder forwarder = New(true, 100, 0, layers: 3);
        forwarder.SetWantedLayer(0);
        Step(forwarder, 1, 0, 96, isKeyframe: true, layer: 0, live: AllLive);   // 100 on layer 0
        forwarder.SetWantedLayer(2);

        ForwardDecision stillLow = Step(forwarder, 2, 0, 96, isKeyframe: false, layer: 0, live: AllLive);
        ForwardDecision deltaHigh = Step(forwarder, 50, 0, 96, isKeyframe: false, layer: 2, live: AllLive);
        ForwardDecision keyMiddle = Step(forwarder, 70, 0, 96, isKeyframe: true, layer: 1, live: AllLive);
        ForwardDecision keyHigh = Step(forwarder, 51, 0, 96, isKeyframe: true, layer: 2, live: AllLive);
        ForwardDecision lowAfter = Step(forwarder, 3, 0, 96, isKeyframe: false, layer: 0, live: AllLive);

        Assert.Equal((ForwardAction.Forward, (ushort)101, true, 2), (stillLow.Action, stillLow.SequenceNumber, stillLow.RequestKeyframe, stillLow.Layer));
        Assert.Equal(ForwardAction.DropOtherLayer, deltaHigh.Action);
        Assert.Equal(ForwardAction.DropOtherLayer, keyMiddle.Action);   // up goes straight to the target
        Assert.Equal((ForwardAction.Forward, (ushort)102, false), (keyHigh.Action, keyHigh.SequenceNumber, keyHigh.RequestKeyframe));
        Assert.Equal(ForwardAction.DropOtherLayer, lowAfter.Action);
        Assert.Equal(2, forwarder.CurrentLayer);
    }

    [Fact]
    public void Going_down_takes_the_first_keyframe_of_any_layer_between_the_target_and_the_current_one()
    {
        Forwarder forwarder = New(true, 0, 0, layers: 3);
        Step(forwarder, 1, 0, 96, isKeyframe: true, layer: 2, live: AllLive);
        forwarder.SetWantedLayer(0);

        ForwardDecision keyMiddle = Step(forwarder, 30, 0, 96, isKeyframe: true, layer: 1, live: AllLive);

        Assert.Equal((ForwardAction.Forward, 1), (keyMiddle.Action, keyMiddle.Layer));
        Assert.Equal(1, forwarder.CurrentLayer);
    }

    [Fact]
    public void When_the_current_layer_stops_a_keyframe_of_a_lower_live_layer_takes_over()
    {
        Forwarder forwarder = New(true, 0, 0, layers: 3);
        Step(forwarder, 1, 0, 96, isKeyframe: true, layer: 2, live: AllLive);

        // Layer 2 stalled (its bit is gone); a delta of layer 1 makes us ask for a keyframe of it.
        ForwardDecision delta = Step(forwarder, 40, 0, 96, isKeyframe: false, layer: 1, live: 0b011);
        ForwardDecision key = Step(forwarder, 41, 0, 96, isKeyframe: true, layer: 1, live: 0b011);

        Assert.Equal((ForwardAction.DropOtherLayer, true, 1), (delta.Action, delta.RequestKeyframe, delta.Layer));
        Assert.Equal((ForwardAction.Forward, 1), (key.Action, key.Layer));
    }

    [Fact]
    public void A_size_and_a_pin_before_the_start_move_the_start_to_the_pinned_layers_keyframe()
    {
        Forwarder forwarder = New(true, 500, 0, layers: 3);
        var forwarded = new List<(int Layer, bool Key, ushort Out)>();

        Offer(forwarder, forwarded, 1, 3000, key: true);   // the wish is still the top layer
        forwarder.SetWantedLayer(0);                         // the size: q
        forwarder.SetWantedLayer(1);                         // the pin: h
        Offer(forwarder, forwarded, 2, 7000, key: true);
        Offer(forwarder, forwarded, 0, 100, key: true);
        Offer(forwarder, forwarded, 1, 3001, key: false);
        Offer(forwarder, forwarded, 1, 3002, key: true);
        Offer(forwarder, forwarded, 2, 7001, key: false);
        Offer(forwarder, forwarded, 1, 3003, key: false);

        Assert.Equal([(1, true, 500), (1, false, 501)], forwarded);
    }

    /// <summary>
    /// The sequence a subscriber that sizes its tile and pins a layer right after joining gets:
    /// the top layer first (no size yet), then the pin, then back to the size; meanwhile packets
    /// of the layer left behind keep coming, in order, reordered, or restored from a
    /// retransmission. Every packet forwarded is of the layer of the last keyframe forwarded, and
    /// the numbering has no gap.
    /// </summary>
    [Fact]
    public void Around_a_pin_and_an_unpin_every_delta_frame_forwarded_continues_the_last_keyframes_layer()
    {
        Forwarder forwarder = New(true, 500, 0, layers: 3);
        var forwarded = new List<(int Layer, bool Key, ushort Out)>();

        Offer(forwarder, forwarded, 2, 7000, key: true);
        Offer(forwarder, forwarded, 2, 7001, key: false);
        forwarder.SetWantedLayer(0);                         // the size: q
        forwarder.SetWantedLayer(1);                         // the pin: h
        Offer(forwarder, forwarded, 0, 100, key: false);
        Offer(forwarder, forwarded, 2, 7002, key: false);   // f goes on until h's keyframe
        Offer(forwarder, forwarded, 0, 101, key: true);     // below the target: no switch
        Offer(forwarder, forwarded, 1, 3000, key: true);    // the switch down to h
        Offer(forwarder, forwarded, 2, 7003, key: false);   // f after the switch, in order
        Offer(forwarder, forwarded, 2, 7002, key: false);   // f reordered
        Offer(forwarder, forwarded, 2, 6999, key: true);    // an old f keyframe, restored late
        Offer(forwarder, forwarded, 1, 3001, key: false);
        forwarder.SetWantedLayer(0);                         // unpinned: q by size
        Offer(forwarder, forwarded, 1, 3002, key: false);
        Offer(forwarder, forwarded, 1, 2999, key: false);   // h from before the switch to it
        Offer(forwarder, forwarded, 0, 102, key: false);
        Offer(forwarder, forwarded, 0, 103, key: true);     // the switch down to q
        Offer(forwarder, forwarded, 1, 3003, key: false);
        Offer(forwarder, forwarded, 0, 104, key: false);

        Assert.Equal(
            [(2, true, 500), (2, false, 501), (2, false, 502), (1, true, 503), (1, false, 504), (1, false, 505), (0, true, 506), (0, false, 507)],
            forwarded);
        int keyframeLayer = -1;
        foreach ((int layer, bool key, ushort output) in forwarded)
        {
            keyframeLayer = key ? layer : keyframeLayer;
            Assert.True(layer == keyframeLayer, $"{output}: a delta frame of layer {layer} after a keyframe of layer {keyframeLayer}");
        }
    }

    /// <summary>One packet of one layer (all layers live); what was forwarded is added to <paramref name="forwarded"/>.</summary>
    private static void Offer(Forwarder forwarder, List<(int Layer, bool Key, ushort Out)> forwarded, int layer, ushort sequenceNumber, bool key)
    {
        ForwardDecision decision = Step(forwarder, sequenceNumber, 0, 96, key, layer, AllLive);
        if (decision.Action == ForwardAction.Forward)
        {
            forwarded.Add((layer, key, decision.SequenceNumber));
        }
    }
}
