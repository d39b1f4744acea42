using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// A publisher sending three simulcast layers through the real engine in memory: layers learnt
/// by rid, each subscriber on the layer that fits the size it renders at, switches only at
/// keyframes with contiguous numbering and timestamps that never step back, NACKs answered
/// from the right layer, a stalled layer replaced, and unused layers paused at the publisher.
/// </summary>
public sealed class SimulcastTests : IAsyncLifetime
{
    private static readonly string[] Rids = ["q", "h", "f"];
    private static readonly (int Width, int Height)[] Sizes = [(320, 180), (640, 360), (1280, 720)];

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ushort[] _sequence = [100, 5000, 20000];
    private readonly uint[] _timestamp = [1_000, 400_000, 9_000_000];
    private readonly ushort[] _pictureId = [100, 32000, 7000];
    private readonly byte[] _tl0PicIdx = [10, 200, 60];
    private EngineRoom _room = null!;
    private bool _withPictureIds;

    private static uint Ssrc(int layer) => 0x5000u + (uint)layer;

    public async ValueTask InitializeAsync()
    {
        _room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 2, _time, Rids);
        _time.Advance(DownTrack.KeyframeRequestInterval);
    }

    public ValueTask DisposeAsync() => _room.DisposeAsync();

    /// <summary>One frame (one packet) of each layer, all with the same capture time.</summary>
    private void SendFrame(bool keyframe, params int[] layers)
    {
        foreach (int layer in layers.Length == 0 ? [0, 1, 2] : layers)
        {
            (ushort, byte)? picture = _withPictureIds ? (_pictureId[layer], _tl0PicIdx[layer]) : null;
            byte[] packet = StreamPackets.Vp8Layer(Ssrc(layer), _sequence[layer]++, _timestamp[layer], keyframe, Rids[layer], Sizes[layer].Width, Sizes[layer].Height, picture: picture);
            _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtp(packet));
        }

        for (int layer = 0; layer < 3; layer++)
        {
            _timestamp[layer] += 3000;
            _pictureId[layer] = (ushort)((_pictureId[layer] + 1) & 0x7FFF);
            _tl0PicIdx[layer]++;   // every frame a base-layer one: one temporal layer
        }

        _time.Advance(TimeSpan.FromMilliseconds(33));
    }

    /// <summary>Which layer a keyframe the subscriber got came from, by the frame size it declares.</summary>
    private static int KeyframeLayer(RtpPacket packet)
    {
        Assert.True(Vp8Descriptor.TryGetKeyframeSize(packet.Payload, out int width, out _), "not a keyframe");
        return Array.FindIndex(Sizes, s => s.Width == width);
    }

    [Fact]
    public void Layers_are_learnt_from_their_rid_and_each_keeps_its_own_stream()
    {
        SendFrame(keyframe: true);

        Producer video = _room.Publisher.VideoProducer();
        Assert.True(video.IsSimulcast);
        Assert.Equal(Rids, video.Layers.Select(l => l.Rid));
        Assert.Equal([Ssrc(0), Ssrc(1), Ssrc(2)], video.Layers.Select(l => l.Stream!.Ssrc));
        Assert.All(video.Layers, l => Assert.Equal(1, l.Stream!.PacketsReceived));
        Assert.Equal([320, 640, 1280], video.Layers.Select(l => l.Width));
    }

    [Fact]
    public void A_subscriber_that_says_nothing_gets_the_top_layer_and_a_small_tile_the_bottom_one()
    {
        EnginePeer large = _room.Subscribers[0];
        EnginePeer small = _room.Subscribers[1];
        Assert.True(small.Participant!.SetVideoSize(small.VideoDownTrack().Mid!, 320, 180));

        SendFrame(keyframe: true);

        Assert.Equal(2, KeyframeLayer(large.LastVideo(out _)));
        Assert.Equal(0, KeyframeLayer(small.LastVideo(out _)));
        Assert.Equal((2, 0), (large.VideoDownTrack().CurrentLayer, small.VideoDownTrack().CurrentLayer));
    }

    [Fact]
    public void A_switch_waits_for_a_keyframe_and_keeps_numbering_and_time_going_forward()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        DownTrack track = subscriber.VideoDownTrack();
        SendFrame(keyframe: true);
        SendFrame(keyframe: false);
        RtpPacket before = subscriber.LastVideo(out _);

        long switchesBefore = _room.Engine.Counters.LayerSwitches;
        subscriber.Participant!.SetVideoSize(track.Mid!, 600, 300);   // fits the middle layer
        SendFrame(keyframe: false);
        Assert.Equal(2, track.CurrentLayer);                            // no keyframe of it yet
        RtpPacket stillTop = subscriber.LastVideo(out _);
        SendFrame(keyframe: true, 1);
        RtpPacket switched = subscriber.LastVideo(out _);

        Assert.Equal(1, track.CurrentLayer);
        Assert.Equal(1, KeyframeLayer(switched));
        Assert.Equal((ushort)(before.SequenceNumber + 1), stillTop.SequenceNumber);
        Assert.Equal((ushort)(stillTop.SequenceNumber + 1), switched.SequenceNumber);
        Assert.True(RtpSequence.IsNewer(switched.Timestamp, stillTop.Timestamp), "the timestamp stepped back across the switch");
        Assert.InRange(RtpSequence.Distance(stillTop.Timestamp, switched.Timestamp), 1, 90 * 200);
        Assert.Equal(switchesBefore + 1, _room.Engine.Counters.LayerSwitches);
    }

    /// <summary>The VP8 PictureID and TL0PICIDX a subscriber got.</summary>
    private static (int PictureId, int Tl0PicIdx) PictureOf(RtpPacket packet)
    {
        Assert.True(Vp8Descriptor.TryLocatePictureIndices(packet.Payload, out int at, out bool longId, out int tl0At));
        Assert.True(longId);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(packet.Payload[at..]) & 0x7FFF, packet.Payload[tl0At]);
    }

    [Fact]
    public void Across_a_switch_the_vp8_picture_id_and_tl0_index_go_on_from_the_last_ones_sent_and_a_resend_keeps_its_first_numbers()
    {
        // Each layer counts its own PictureID and TL0PICIDX from its own start (100, 32000 near
        // the 15-bit wrap, 7000); the subscriber must see one sequence.
        _withPictureIds = true;
        EnginePeer subscriber = _room.Subscribers[0];
        DownTrack track = subscriber.VideoDownTrack();
        SendFrame(keyframe: true);
        RtpPacket first = subscriber.LastVideo(out _);
        SendFrame(keyframe: false);
        SendFrame(keyframe: false);
        RtpPacket lastTop = subscriber.LastVideo(out _);
        // The first keyframes arrive bottom layer first: forwarding starts on it with its own
        // numbers (100, 10) and moves up at each higher keyframe of the same frame time.
        Assert.Equal((102, 12), PictureOf(first));
        Assert.Equal((104, 14), PictureOf(lastTop));

        subscriber.Participant!.SetVideoSize(track.Mid!, 600, 300);
        SendFrame(keyframe: true, 1);
        RtpPacket switched = subscriber.LastVideo(out _);
        SendFrame(keyframe: false, 1);
        RtpPacket after = subscriber.LastVideo(out _);
        Assert.Equal(1, track.CurrentLayer);
        Assert.Equal((105, 15), PictureOf(switched));
        Assert.Equal((106, 16), PictureOf(after));

        // Down again.
        subscriber.Participant!.SetVideoSize(track.Mid!, 320, 180);
        SendFrame(keyframe: true, 0);
        Assert.Equal(0, track.CurrentLayer);
        Assert.Equal((107, 17), PictureOf(subscriber.LastVideo(out _)));

        // The top layer's packet before its last (one this subscriber "lost"), NACKed now: resent
        // as it was first numbered.
        ushort lost = (ushort)(lastTop.SequenceNumber - 1);
        RtpPacket resent = NackAndTakeResend(subscriber, track, lost);
        Assert.Equal(lost, resent.SequenceNumber);
        Assert.Equal((103, 13), PictureOf(resent));
    }

    [Fact]
    public void Sender_reports_line_the_new_layers_timestamps_up_with_the_old_ones()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        DownTrack track = subscriber.VideoDownTrack();

        SendFrame(keyframe: true);
        RtpPacket top = subscriber.LastVideo(out _);

        // Each layer's SR ties its clock to the same NTP instant: one capture clock, each layer's
        // RTP clock with its own random offset. The frame just sent was captured 33 ms before it.
        for (int layer = 0; layer < 3; layer++)
        {
            byte[] sr = new byte[SenderReport.GetSize(0)];
            SenderReport.TryWrite(sr, Ssrc(layer), 0x0000_0010_0000_0000, _timestamp[layer], 1, 1, []);
            _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtcp(sr));
        }

        subscriber.Participant!.SetVideoSize(track.Mid!, 320, 180);
        SendFrame(keyframe: true, 0);
        RtpPacket bottom = subscriber.LastVideo(out _);

        // One frame later on every layer's clock: exactly one frame later on ours.
        Assert.Equal(0, KeyframeLayer(bottom));
        Assert.Equal(unchecked(top.Timestamp + 3000), bottom.Timestamp);
    }

    [Fact]
    public void A_nack_after_a_switch_is_answered_from_the_layer_that_carried_the_packet()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        DownTrack track = subscriber.VideoDownTrack();
        SendFrame(keyframe: true, 2);       // top layer: the subscriber's first packet …
        SendFrame(keyframe: false, 2);      // … and this one it "loses"
        SendFrame(keyframe: false, 2);
        RtpPacket third = subscriber.LastVideo(out _);
        subscriber.Participant!.SetVideoSize(track.Mid!, 320, 180);
        SendFrame(keyframe: true, 0);
        Assert.Equal(0, track.CurrentLayer);

        ushort lost = (ushort)(third.SequenceNumber - 1);
        RtpPacket resent = NackAndTakeResend(subscriber, track, lost);
        Assert.Equal(lost, resent.SequenceNumber);
        Assert.Equal([0x10, 0x01, 0x00, 0x00, 0xCD], resent.Payload.ToArray());   // the top layer's delta frame
        Assert.Equal(unchecked(third.Timestamp - 3000), resent.Timestamp);
    }

    [Fact]
    public void When_the_top_layer_stops_the_subscriber_moves_to_a_lower_one_and_asks_for_its_keyframe()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        _room.Publisher.KeepRtcp = true;
        SendFrame(keyframe: true);
        Assert.Equal(2, subscriber.VideoDownTrack().CurrentLayer);

        // The top layer stops (the publisher's uplink cannot carry it); the others go on.
        for (int i = 0; i < 10; i++)
        {
            SendFrame(keyframe: false, 0, 1);
        }

        Assert.Contains(_room.Publisher.TakeRtcp(), c => PictureLossIndication.TryParse(c, out PictureLossIndication pli) && pli.MediaSsrc == Ssrc(1));
        SendFrame(keyframe: true, 0, 1);

        Assert.Equal(1, subscriber.VideoDownTrack().CurrentLayer);
        Assert.Equal(1, KeyframeLayer(subscriber.LastVideo(out _)));
    }

    [Fact]
    public void Layers_nobody_wants_for_five_seconds_are_paused_at_the_publisher_and_come_back_when_wanted()
    {
        SendFrame(keyframe: true);
        foreach (EnginePeer subscriber in _room.Subscribers)
        {
            subscriber.Participant!.SetVideoSize(subscriber.VideoDownTrack().Mid!, 320, 180);
        }

        _room.Publisher.Participant!.OnLayerTick();
        _time.Advance(LayerDemand.UnusedBeforePause - TimeSpan.FromMilliseconds(100));
        _room.Publisher.Participant.OnLayerTick();
        Assert.Empty(_room.Publisher.LayerNotices);

        _time.Advance(TimeSpan.FromMilliseconds(200));
        _room.Publisher.Participant.OnLayerTick();
        Assert.True(_room.Publisher.LayerNotices.TryDequeue(out (string Mid, IReadOnlyList<string> Rids) paused));
        Assert.Equal("1", paused.Mid);
        Assert.Equal(["q"], paused.Rids);
        Assert.False(_room.Publisher.VideoProducer().Layers[2].IsActive);

        EnginePeer big = _room.Subscribers[0];
        big.Participant!.SetVideoSize(big.VideoDownTrack().Mid!, 1280, 720);
        Assert.True(_room.Publisher.LayerNotices.TryDequeue(out (string Mid, IReadOnlyList<string> Rids) resumed));
        Assert.Equal(Rids, resumed.Rids);
    }

    /// <summary>
    /// A subscriber that sizes its tile and pins a layer right after joining, then unpins: it
    /// starts on the top layer (no size yet), switches at the pinned layer's keyframe and back at
    /// the size's, while the other layers' packets keep arriving. (A layer that has sent nothing
    /// yet is not live, and the target falls below it: h sends a delta frame first, as it does
    /// when every layer flows.) What it receives has no gap and
    /// every delta frame is of the layer of the last keyframe received (the keyframes' sizes say
    /// which layer they are).
    /// </summary>
    [Fact]
    public void A_size_and_a_pin_right_after_joining_switch_only_at_keyframes_and_no_delta_frame_crosses_layers()
    {
        EnginePeer subscriber = _room.Subscribers[0];
        DownTrack track = subscriber.VideoDownTrack();
        var received = new List<(int Layer, bool Key, ushort Sequence)>();

        SendOne(subscriber, track, received, 2, keyframe: true);
        SendOne(subscriber, track, received, 2, keyframe: false);
        Assert.True(subscriber.Participant!.SetVideoSize(track.Mid!, 320, 180));
        Assert.True(subscriber.Participant.SetVideoLayer(track.Mid!, "h"));
        SendOne(subscriber, track, received, 0, keyframe: false);
        SendOne(subscriber, track, received, 1, keyframe: false);   // h arrives, not from a keyframe yet
        SendOne(subscriber, track, received, 2, keyframe: false);
        SendOne(subscriber, track, received, 0, keyframe: true);    // q is below h: no switch
        SendOne(subscriber, track, received, 1, keyframe: true);
        SendOne(subscriber, track, received, 2, keyframe: false);
        SendOne(subscriber, track, received, 1, keyframe: false);
        Assert.True(subscriber.Participant.SetVideoLayer(track.Mid!, null));
        SendOne(subscriber, track, received, 1, keyframe: false);
        SendOne(subscriber, track, received, 0, keyframe: false);
        SendOne(subscriber, track, received, 0, keyframe: true);
        SendOne(subscriber, track, received, 1, keyframe: false);
        SendOne(subscriber, track, received, 0, keyframe: false);

        Assert.Equal(
            [(2, true), (2, false), (2, false), (1, true), (1, false), (1, false), (0, true), (0, false)],
            received.Select(r => (r.Layer, r.Key)));
        Assert.Equal(received.Select((r, i) => (ushort)(received[0].Sequence + i)), received.Select(r => r.Sequence));
    }

    /// <summary>One packet of one layer; what the subscriber got of it, if anything, is added to <paramref name="received"/>.</summary>
    private void SendOne(EnginePeer subscriber, DownTrack track, List<(int Layer, bool Key, ushort Sequence)> received, int layer, bool keyframe)
    {
        long before = track.PacketsSent;
        byte[] packet = StreamPackets.Vp8Layer(Ssrc(layer), _sequence[layer]++, _timestamp[layer], keyframe, Rids[layer], Sizes[layer].Width, Sizes[layer].Height);
        _timestamp[layer] += 3000;
        _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtp(packet));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        if (track.PacketsSent == before)
        {
            return;
        }

        RtpPacket got = subscriber.LastVideo(out _);
        if (keyframe)
        {
            Assert.Equal(layer, KeyframeLayer(got));
        }

        received.Add((layer, keyframe, got.SequenceNumber));
    }

    /// <summary>
    /// The layer a subscriber wants has writers on several threads: its pin and size (the hub),
    /// the stream allocator, the media path when a layer's size becomes known. Each recomputes it
    /// from all of them; one working from a pin it read before another thread changed it must
    /// not have the last word.
    /// </summary>
    [Fact]
    public void A_pin_racing_an_allocation_leaves_the_wanted_layer_as_the_last_pin_says()
    {
        SendFrame(keyframe: true);
        DownTrack track = _room.Subscribers[0].VideoDownTrack();
        track.SetRequestedSize(320, 180);
        const int Rounds = 100_000;
        using var barrier = new Barrier(2);
        var stale = new List<string>();
        var pinner = new Thread(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                barrier.SignalAndWait();
                track.PinLayer(round % 2 == 0 ? 1 : -1);
                barrier.SignalAndWait();
                int expected = round % 2 == 0 ? 1 : 0;
                if (track.WantedLayer != expected && stale.Count < 5)
                {
                    stale.Add($"round {round}: wanted {track.WantedLayer}, pinned {track.PinnedLayer}, requested {track.RequestedLayer}");
                }
            }
        });
        var allocator = new Thread(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                barrier.SignalAndWait();
                track.SetAllocatedLayer(round % 2 == 0 ? 100 : 101);   // no limit either way
                barrier.SignalAndWait();
            }
        });
        pinner.Start();
        allocator.Start();
        pinner.Join();
        allocator.Join();

        Assert.True(stale.Count == 0, string.Join("; ", stale));
    }

    /// <summary>The subscriber NACKs <paramref name="lost"/> on its copy of the track; returns what the engine resent.</summary>
    private RtpPacket NackAndTakeResend(EnginePeer subscriber, DownTrack track, ushort lost)
    {
        byte[] nack = new byte[16];
        int length = GenericNack.TryWrite(nack, 0x4444, track.Ssrc, [lost]);
        _room.Deliver(subscriber, subscriber.ProtectRtcp(nack.AsSpan(0, length)));
        return subscriber.LastVideo(out _);
    }
}
