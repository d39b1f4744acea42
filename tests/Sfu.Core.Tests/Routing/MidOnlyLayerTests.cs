using Sfu.Core.Routing;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;
using Sfu.Testing;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// A simulcast layer whose packets carry the track's mid but no rid (the sender stopped sending
/// the rid, or its first packets were missed) is bound when it is the track's only unbound layer
/// and the others are live; otherwise it stays unknown. The real engine in memory, a publisher
/// of two layers (rids q and f). The same holds for a layer's retransmission SSRC without a
/// repaired rid.
/// </summary>
public sealed class MidOnlyLayerTests
{
    private const uint LowSsrc = 0x5000;
    private const uint TopSsrc = 0x6000;
    private const uint LowRtxSsrc = 0x5100;
    private const uint TopRtxSsrc = 0x6100;

    [Fact]
    public async Task The_last_unbound_layer_is_bound_from_its_mid_and_forwarded()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, simulcastRids: ["q", "f"]);
        EnginePeer subscriber = room.Subscribers[0];
        subscriber.KeepMedia = true;

        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(LowSsrc, 1, 1000, keyframe: true, rid: "q", width: 320, height: 180)));
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(MidOnly(TopSsrc, 1, keyframe: true)));

        Producer producer = Assert.Single(room.Publisher.Participant!.Producers, p => p.IsSimulcast);
        Assert.Equal(LowSsrc, producer.Layers[0].Stream?.Ssrc);
        Assert.Equal(TopSsrc, producer.Layers[1].Stream?.Ssrc);
        Assert.Equal(string.Empty, room.Publisher.Participant!.DescribeUnknownSsrcs());
        Assert.Equal(640, producer.Layers[1].Width);

        // The subscriber wants the top layer (it asked for no size): from the top layer's next
        // keyframe on, what it gets is the top layer's packets and no longer the low one's.
        subscriber.TakeMedia();
        for (ushort sequence = 2; sequence <= 6; sequence++)
        {
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(LowSsrc, sequence, 1000 + (3000u * sequence), keyframe: false, rid: "q", width: 320, height: 180)));
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(MidOnly(TopSsrc, sequence, keyframe: sequence == 2)));
        }

        List<byte[]> received = subscriber.TakeMedia();
        int firstTop = received.FindIndex(p => p[^1] == 0xF0);
        Assert.True(firstTop >= 0, $"none of the top layer's packets reached the subscriber ({received.Count} packets did)");
        Assert.Equal(5, received.Skip(firstTop).Count(p => p[^1] == 0xF0));
        Assert.DoesNotContain(received.Skip(firstTop), p => p[^1] == 0xCD);
    }

    [Fact]
    public async Task A_mid_alone_binds_nothing_while_two_layers_are_unbound()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, simulcastRids: ["q", "f"]);

        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(MidOnly(TopSsrc, 1, keyframe: true)));

        Producer producer = Assert.Single(room.Publisher.Participant!.Producers, p => p.IsSimulcast);
        Assert.All(producer.Layers, layer => Assert.Null(layer.Stream));
        Assert.StartsWith("24576: 1 packets, pt 96, 0 with a rid, 1 with a mid", room.Publisher.Participant!.DescribeUnknownSsrcs(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mid_alone_binds_nothing_while_the_other_layer_is_silent()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, time, simulcastRids: ["q", "f"]);

        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(LowSsrc, 1, 1000, keyframe: true, rid: "q", width: 320, height: 180)));
        time.Advance(ProducerLayer.StallAfter + TimeSpan.FromMilliseconds(1));
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(MidOnly(TopSsrc, 1, keyframe: true)));

        Producer producer = Assert.Single(room.Publisher.Participant!.Producers, p => p.IsSimulcast);
        Assert.Null(producer.Layers[1].Stream);
        Assert.Contains("24576: 1 packets", room.Publisher.Participant!.DescribeUnknownSsrcs(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_unbound_retransmission_ssrc_is_bound_from_its_mid_and_repairs_its_layer()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, simulcastRids: ["q", "f"]);
        EnginePeer subscriber = room.Subscribers[0];
        subscriber.KeepMedia = true;
        Producer producer = Assert.Single(room.Publisher.Participant!.Producers, p => p.IsSimulcast);
        byte rtxPayloadType = Assert.IsType<byte>(producer.Codec.RtxPayloadType);

        // Both layers by their rids, and q's retransmissions by its repaired rid (a padding probe).
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(LowSsrc, 1, 1000, keyframe: true, rid: "q", width: 320, height: 180)));
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(TopSsrc, 1, 1000, keyframe: true, rid: "f", width: 640, height: 360)));
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.WithExtensions(LowRtxSsrc, 1, 0, rtxPayloadType, [(EnginePeer.MidExtensionId, "1"u8.ToArray()), (EnginePeer.RepairedRidExtensionId, "q"u8.ToArray())], [], padding: 224)));

        // f's packet 2 is lost; 3 arrives; then 2 comes back on f's RTX SSRC with the mid alone
        // (RFC 4588 §4: the original sequence number first, then the original payload).
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(MidOnly(TopSsrc, 3, keyframe: false)));
        subscriber.TakeMedia();
        byte[] lost = MidOnly(TopSsrc, 2, keyframe: false);
        lost[^1] = 0xF2;
        byte[] resend = StreamPackets.WithExtensions(TopRtxSsrc, 1, 1000 + (3000u * 2), rtxPayloadType, [(EnginePeer.MidExtensionId, "1"u8.ToArray())], [0x00, 0x02, .. lost.AsSpan(lost.Length - 5)]);
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(resend));

        Assert.Equal(LowRtxSsrc, producer.Layers[0].Stream?.RtxSsrc);
        Assert.Equal(TopRtxSsrc, producer.Layers[1].Stream?.RtxSsrc);
        Assert.Equal(string.Empty, room.Publisher.Participant!.DescribeUnknownSsrcs());
        Assert.Contains(subscriber.TakeMedia(), p => p[^1] == 0xF2);
    }

    [Theory]
    // Both layers' media bound, neither's RTX: two candidates.
    [InlineData(true, false)]
    // Only q's media bound: the packet may be f's RTX, whose media has not come yet.
    [InlineData(false, false)]
    public async Task A_mid_alone_binds_no_retransmission_ssrc_unless_one_layer_is_left(bool topMediaBound, bool lowRtxBound)
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, simulcastRids: ["q", "f"]);
        Producer producer = Assert.Single(room.Publisher.Participant!.Producers, p => p.IsSimulcast);
        byte rtxPayloadType = Assert.IsType<byte>(producer.Codec.RtxPayloadType);

        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(LowSsrc, 1, 1000, keyframe: true, rid: "q", width: 320, height: 180)));
        if (topMediaBound)
        {
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(TopSsrc, 1, 1000, keyframe: true, rid: "f", width: 640, height: 360)));
        }

        if (lowRtxBound)
        {
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.WithExtensions(LowRtxSsrc, 1, 0, rtxPayloadType, [(EnginePeer.MidExtensionId, "1"u8.ToArray()), (EnginePeer.RepairedRidExtensionId, "q"u8.ToArray())], [], padding: 224)));
        }

        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.WithExtensions(TopRtxSsrc, 1, 0, rtxPayloadType, [(EnginePeer.MidExtensionId, "1"u8.ToArray())], [], padding: 224)));

        Assert.Equal(lowRtxBound ? LowRtxSsrc : null, producer.Layers[0].Stream?.RtxSsrc);
        Assert.Null(producer.Layers[1].Stream?.RtxSsrc);
        Assert.StartsWith($"{TopRtxSsrc}: 1 packets, pt {rtxPayloadType}, 0 with a rid, 1 with a mid", room.Publisher.Participant!.DescribeUnknownSsrcs(), StringComparison.Ordinal);
    }

    /// <summary>A 640×360 VP8 packet with the section's mid and no rid; its payload ends in 0xF0 so a subscriber's copy can be told apart from the low layer's.</summary>
    private static byte[] MidOnly(uint ssrc, ushort sequenceNumber, bool keyframe)
    {
        byte[] frame = keyframe
            ? [0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01, 0xF0]
            : [0x10, 0x01, 0x00, 0x00, 0xF0];
        return StreamPackets.WithExtensions(ssrc, sequenceNumber, 1000 + (3000u * sequenceNumber), EnginePeer.VideoPayloadType, [(EnginePeer.MidExtensionId, "1"u8.ToArray())], frame);
    }
}
