using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Dtls;
using Sfu.Core.Feedback;
using Sfu.Core.Relay;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Srtp;
using Sfu.Core.Streams;
using Sfu.Core.Tests.Dtls;
using Sfu.Core.Tests.Routing;
using Sfu.Core.Tests.Streams;
using Sfu.Testing;

namespace Sfu.Core.Tests.Relay;

/// <summary>
/// Tracks crossing between nodes on the real engine (<see cref="EngineRoom"/>): a local track's
/// packets going out over a real relay link, and a track published on another node entering a
/// room as a remote producer.
/// </summary>
public class RelayedTrackTests
{
    private const uint RemoteSsrc = 0x5EED_0001;
    private const uint RemoteRtxSsrc = 0x5EED_0F01;
    private const byte RtxPayloadType = 97;

    [Fact]
    public async Task A_relayed_track_reaches_each_subscriber_on_its_own_down_track_and_allocates_nothing_per_packet()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 2);
        Room engineRoom = room.Engine.Rooms.Find(EngineRoom.Name)!;
        Producer local = room.Publisher.VideoProducer();
        var upstream = new RecordingRtcpSender();
        var track = new PublishedTrack("r0", MediaKind.Video, RemoteSsrc, null, "remote-video", local.Codec, local.Extensions);

        Producer remote = room.Engine.PublishRemote(engineRoom, "node-b", "p-remote", track, upstream);
        room.Settle();
        Assert.True(remote.IsRemote);
        Assert.Equal("p-remote", Assert.Single(engineRoom.RemotePublishers).Id);
        Assert.Equal(room.Peers.Count, remote.DownTracks.Length);

        // A keyframe as the relay delivers it: every member gets it on its own SSRC, payload intact.
        byte[] scratch = new byte[1600];
        byte[] keyframe = StreamPackets.Vp8(RemoteSsrc, 1, keyframe: true);
        Assert.True(remote.OnRelayed(keyframe, room.Engine.Time.GetTimestamp(), scratch));
        foreach (EnginePeer member in room.Peers)
        {
            DownTrack downTrack = member.Participant!.DownTracks.Single(d => d.Source == remote);
            RtpPacket received = member.LastVideo(out _);
            Assert.Equal(downTrack.Ssrc, received.Ssrc);
            Assert.NotEqual(RemoteSsrc, received.Ssrc);
            Assert.Equal(StreamPackets.View(keyframe).Payload.ToArray(), received.Payload.ToArray());
        }

        // Another SSRC is not this track's.
        Assert.False(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc + 1, 2, keyframe: false), room.Engine.Time.GetTimestamp(), scratch));

        // The members' keyframe requests (to start) went upstream as PLI on the publisher's SSRC.
        Assert.NotEmpty(upstream.Sent);
        foreach (byte[] pli in upstream.Sent)
        {
            Assert.True(PictureLossIndication.TryParse(pli, out PictureLossIndication request));
            Assert.Equal(RemoteSsrc, request.MediaSsrc);
        }

        // The per-packet path: parse, receive stream, every member's down-track.
        byte[][] packets = [.. Enumerable.Range(2, 1000).Select(i => StreamPackets.Vp8(RemoteSsrc, (ushort)i, keyframe: false))];
        long received0 = room.Subscribers[0].MediaReceived;
        long allocated = Allocations.Measure(i => remote.OnRelayed(packets[i], room.Engine.Time.GetTimestamp(), scratch), iterations: 300, warmUp: 100);
        Assert.Equal(0, allocated);
        Assert.True(room.Subscribers[0].MediaReceived >= received0 + 1000, $"{room.Subscribers[0].MediaReceived - received0} of 1000 forwarded");

        // The track ends at its node: it ends here at every member.
        SfuEngine.UnpublishRemote(remote);
        room.Settle();
        Assert.True(engineRoom.RemotePublishers.IsEmpty);
        Assert.All(room.Peers, member => Assert.DoesNotContain(member.Participant!.DownTracks, d => d.Source == remote));
        Assert.False(remote.OnRelayed(packets[0], room.Engine.Time.GetTimestamp(), scratch));
    }

    [Fact]
    public async Task A_relayed_packet_that_never_arrived_is_asked_for_upstream_on_its_ssrc_but_not_a_gap_this_node_chose()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1);
        var upstream = new RecordingRtcpSender();
        Producer remote = PublishRemoteVideo(room, upstream);
        byte[] scratch = new byte[1600];
        long Now() => room.Engine.Time.GetTimestamp();

        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 1, keyframe: true), Now(), scratch));
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 2, keyframe: false), Now(), scratch));
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 4, keyframe: false), Now(), scratch));
        Assert.Equal([(RemoteSsrc, (ushort)3)], Nacked(upstream));
        Assert.Equal(1, remote.RelayNacksSent);

        // The origin's answer comes as RTX on the retransmission SSRC its listing named: the
        // subscriber here gets the packet, late, on its own SSRC.
        EnginePeer member = room.Subscribers[0];
        byte[] lost = StreamPackets.Vp8(RemoteSsrc, 3, keyframe: false);
        Assert.True(remote.OnRelayed(StreamPackets.Rtx(lost, RemoteRtxSsrc, 77, RtxPayloadType), Now(), scratch));
        RtpPacket repaired = member.LastVideo(out _);
        Assert.Equal(StreamPackets.View(lost).Payload.ToArray(), repaired.Payload.ToArray());
        Assert.Equal(member.Participant!.DownTracks.Single(d => d.Source == remote).Ssrc, repaired.Ssrc);
        Assert.Equal(1, remote.RelayRepairs);
        Assert.True(remote.Layers[0].Stream!.Retransmissions!.TryGet(3, out _));

        // This node stopped wanting the track for a while and wants it again: the packets its
        // node did not send meanwhile are not asked for.
        upstream.Sent.Clear();
        remote.OnRelayResumed(0);
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 60, keyframe: true), Now(), scratch));
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 61, keyframe: false), Now(), scratch));
        Assert.Empty(Nacked(upstream));
    }

    [Fact]
    public async Task A_subscriber_paused_while_nothing_arrives_resumes_from_a_keyframe_numbered_after_its_last_packet()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1);
        Room engineRoom = room.Engine.Rooms.Find(EngineRoom.Name)!;
        Producer local = room.Publisher.VideoProducer();
        var track = new PublishedTrack("r0", MediaKind.Video, RemoteSsrc, null, "remote-video", local.Codec, local.Extensions);
        Producer remote = room.Engine.PublishRemote(engineRoom, "node-b", "p-remote", track, new RecordingRtcpSender());
        room.Settle();
        byte[] scratch = new byte[1600];
        EnginePeer member = room.Subscribers[0];
        DownTrack downTrack = member.Participant!.DownTracks.Single(d => d.Source == remote);
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 1, keyframe: true), room.Engine.Time.GetTimestamp(), scratch));
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 2, keyframe: false), room.Engine.Time.GetTimestamp(), scratch));
        ushort last = member.LastVideo(out _).SequenceNumber;

        // Paused and resumed with no packet in between (its node relayed nothing meanwhile);
        // the stream picks up 60 packets on, at a keyframe, with the next number.
        Assert.True(member.Participant.SetReceiving(downTrack.Mid!, receive: false));
        Assert.True(member.Participant.SetReceiving(downTrack.Mid!, receive: true));
        long received = member.MediaReceived;
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 62, keyframe: false), room.Engine.Time.GetTimestamp(), scratch));
        Assert.Equal(received, member.MediaReceived);
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 63, keyframe: true), room.Engine.Time.GetTimestamp(), scratch));
        Assert.Equal(unchecked((ushort)(last + 1)), member.LastVideo(out _).SequenceNumber);
    }

    [Fact]
    public async Task A_nack_from_a_node_that_receives_a_layer_is_answered_from_the_buffer_to_that_node_alone()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 0);
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new AllPacketsSink();
        RelayLink toB = await LinkAsync(portA, portB, sinkB, cancel);
        room.Engine.Rooms.Find(EngineRoom.Name)!.RelayLinks = [toB];
        Producer video = room.Publisher.VideoProducer();
        byte[] nack = new byte[64];
        int length = GenericNack.TryWrite(nack, 0x1234, room.Publisher.VideoSsrc, [3, 4, 200]);
        Assert.True(GenericNack.TryParse(nack.AsSpan(0, length), out GenericNack request));
        byte[] scratch = new byte[1600];

        byte[][] sent = [.. Enumerable.Range(1, 5).Select(i => room.SendVideo((ushort)i, keyframe: i == 1))];

        // Node B does not receive the track: its NACK gets nothing.
        Assert.Equal(0, video.ResendOverRelay(toB, request, scratch));

        // Node B receives it: packets 3 and 4 go back as RTX (RFC 4588 §4), on the layer's
        // retransmission SSRC with numbers of their own, each restoring to what the publisher sent.
        video.SetRelayTargets(0, [toB]);
        Assert.Equal(2, video.ResendOverRelay(toB, request, scratch));
        await Until(() => sinkB.Packets.Count >= 2, cancel);
        uint rtxSsrc = video.Layers[0].RelayRtxSsrc;
        Assert.NotEqual(0u, rtxSsrc);
        Assert.NotEqual(room.Publisher.VideoSsrc, rtxSsrc);
        RtpPacket first = StreamPackets.View(sinkB.Packets.First());
        ushort firstRtxSequence = first.SequenceNumber;
        byte[][] restored = [.. sinkB.Packets.Select((packet, i) =>
        {
            RtpPacket rtx = StreamPackets.View(packet);
            Assert.Equal(rtxSsrc, rtx.Ssrc);
            Assert.Equal(video.RelayRtxPayloadType, rtx.PayloadType);
            Assert.Equal(unchecked((ushort)(firstRtxSequence + i)), rtx.SequenceNumber);
            byte[] original = new byte[1600];
            int length = RtxPacket.TryRestore(rtx, room.Publisher.VideoSsrc, EnginePeer.VideoPayloadType, original);
            return original[..length];
        })];
        Assert.Equal([sent[2], sent[3]], restored);
        Assert.Equal(2, video.Layers[0].PacketsRelayed);
    }

    [Fact]
    public async Task A_subscribers_nack_this_node_cannot_answer_is_asked_upstream_once_and_the_rtx_answer_reaches_that_subscriber_alone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 2, time);
        var upstream = new RecordingRtcpSender();
        Producer remote = PublishRemoteVideo(room, upstream);
        byte[] scratch = new byte[1600];
        (EnginePeer asking, EnginePeer other) = (room.Subscribers[0], room.Subscribers[1]);
        DownTrack askingTrack = asking.Participant!.DownTracks.Single(d => d.Source == remote);

        // Packet 1 reaches both subscribers; more than this node's buffer holds follow it.
        byte[] first = StreamPackets.Vp8(RemoteSsrc, 1, keyframe: true);
        Assert.True(remote.OnRelayed(first, time.GetTimestamp(), scratch));
        // Read from the SRTP header in the clear: decrypting it here would make the test peer's
        // replay check refuse the resend, which the real subscriber never got.
        (ushort copySequence, uint copyTimestamp) = (asking.LastVideoSequence, BinaryPrimitives.ReadUInt32BigEndian(asking.LastMedia[4..]));
        ushort next = PastTheBuffer(remote, 2, time.GetTimestamp, scratch);
        void RelayNext() => Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, next++, keyframe: false), time.GetTimestamp(), scratch));

        Assert.False(remote.Layers[0].Stream!.Retransmissions!.TryGet(1, out _));
        upstream.Sent.Clear();

        // The subscriber NACKs its copy of packet 1: nothing here to resend, so it is asked
        // upstream (with the layer's next packet) on the publisher's SSRC, once, however often
        // the subscriber asks within a retry interval.
        long sentBefore = room.Engine.Counters.PacketsRetransmitted;
        room.Deliver(asking, asking.ProtectRtcp(Nack(askingTrack.Ssrc, copySequence)));
        RelayNext();
        Assert.Equal([(RemoteSsrc, (ushort)1)], Nacked(upstream));
        time.Advance(TimeSpan.FromMilliseconds(50));
        room.Deliver(asking, asking.ProtectRtcp(Nack(askingTrack.Ssrc, copySequence)));
        RelayNext();
        Assert.Single(Nacked(upstream));
        Assert.Equal(1, remote.NacksForwarded);

        // The answer, RTX on the listed SSRC: to the subscriber that asked alone, under the
        // number and timestamp its first copy had, payload intact; counted as a resend.
        (long askingBefore, long otherBefore) = (asking.MediaReceived, other.MediaReceived);
        Assert.True(remote.OnRelayed(StreamPackets.Rtx(first, RemoteRtxSsrc, 500, RtxPayloadType), time.GetTimestamp(), scratch));
        RtpPacket resent = asking.LastVideo(out _);
        Assert.Equal((askingTrack.Ssrc, copySequence, copyTimestamp), (resent.Ssrc, resent.SequenceNumber, resent.Timestamp));
        Assert.Equal(StreamPackets.View(first).Payload.ToArray(), resent.Payload.ToArray());
        Assert.Equal((askingBefore + 1, otherBefore), (asking.MediaReceived, other.MediaReceived));
        Assert.Equal(1, remote.ForwardedResends);
        Assert.Equal(sentBefore + 1, room.Engine.Counters.PacketsRetransmitted);

        // The request is done: a second copy of the answer goes nowhere, a NACK the subscriber
        // sent before the answer reached it (within a round trip) is not asked again, and
        // nothing more is asked.
        Assert.True(remote.OnRelayed(StreamPackets.Rtx(first, RemoteRtxSsrc, 501, RtxPayloadType), time.GetTimestamp(), scratch));
        Assert.Equal(askingBefore + 1, asking.MediaReceived);
        time.Advance(NackResponder.DefaultResendInterval / 2);
        room.Deliver(asking, asking.ProtectRtcp(Nack(askingTrack.Ssrc, copySequence)));
        RelayNext();
        Assert.Single(Nacked(upstream));
        time.Advance(TimeSpan.FromSeconds(1));
        RelayNext();
        Assert.Single(Nacked(upstream));

        // Asked again later (the answer was lost on the way), it is asked again.
        room.Deliver(asking, asking.ProtectRtcp(Nack(askingTrack.Ssrc, copySequence)));
        RelayNext();
        Assert.Equal(2, Nacked(upstream).Count);
    }

    [Fact]
    public async Task A_subscribers_nack_nobody_answers_is_asked_again_each_retry_interval_and_dropped_after_a_second()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, time);
        var upstream = new RecordingRtcpSender();
        Producer remote = PublishRemoteVideo(room, upstream);
        byte[] scratch = new byte[1600];
        EnginePeer member = room.Subscribers[0];
        DownTrack downTrack = member.Participant!.DownTracks.Single(d => d.Source == remote);
        Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, 1, keyframe: true), time.GetTimestamp(), scratch));
        ushort copySequence = member.LastVideoSequence;
        ushort next = PastTheBuffer(remote, 2, time.GetTimestamp, scratch);
        void RelayNext() => Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, next++, keyframe: false), time.GetTimestamp(), scratch));

        upstream.Sent.Clear();
        room.Deliver(member, member.ProtectRtcp(Nack(downTrack.Ssrc, copySequence)));
        for (int i = 0; i < 30; i++)
        {
            RelayNext();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        // 1.5 s of packets: asked at once and again every 150 ms until a second had passed.
        Assert.InRange(Nacked(upstream).Count, 6, 8);
        Assert.All(Nacked(upstream), nack => Assert.Equal((RemoteSsrc, (ushort)1), nack));
    }

    [Fact]
    public async Task Rtx_answers_and_the_nacks_they_answer_allocate_nothing_per_packet()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1);
        var upstream = new RecordingRtcpSender { Keep = false };
        Producer remote = PublishRemoteVideo(room, upstream);
        byte[] scratch = new byte[1600];
        EnginePeer member = room.Subscribers[0];
        DownTrack downTrack = member.Participant!.DownTracks.Single(d => d.Source == remote);
        const int Rounds = 120;

        // Packets 1..Rounds reach the subscriber, then enough follow that the buffer lets them go.
        var copies = new ushort[Rounds + 1];
        byte[][] originals = [.. Enumerable.Range(0, Rounds + 1).Select(i => StreamPackets.Vp8(RemoteSsrc, (ushort)i, keyframe: i == 1))];
        for (int i = 1; i <= Rounds; i++)
        {
            Assert.True(remote.OnRelayed(originals[i], room.Engine.Time.GetTimestamp(), scratch));
            copies[i] = member.LastVideoSequence;
        }

        ushort next = PastTheBuffer(remote, Rounds + 1, room.Engine.Time.GetTimestamp, scratch);

        // Each round: the subscriber NACKs one of them, the next packet takes the NACK upstream,
        // the RTX answer goes to the subscriber.
        byte[][] nacks = [.. Enumerable.Range(0, Rounds).Select(i => member.ProtectRtcp(Nack(downTrack.Ssrc, copies[i + 1])))];
        byte[][] media = [.. Enumerable.Range(0, Rounds).Select(i => StreamPackets.Vp8(RemoteSsrc, (ushort)(next + i), keyframe: false))];
        byte[][] answers = [.. Enumerable.Range(0, Rounds).Select(i => StreamPackets.Rtx(originals[i + 1], RemoteRtxSsrc, (ushort)i, RtxPayloadType))];
        long allocated = Allocations.Measure(
            i =>
            {
                room.Deliver(member, nacks[i]);
                remote.OnRelayed(media[i], room.Engine.Time.GetTimestamp(), scratch);
                remote.OnRelayed(answers[i], room.Engine.Time.GetTimestamp(), scratch);
            },
            iterations: Rounds - 20,
            warmUp: 20);
        Assert.Equal(0, allocated);
        Assert.Equal(Rounds, remote.NacksForwarded);
        Assert.Equal(Rounds, remote.ForwardedResends);
    }

    /// <summary>A video track published on node B, with retransmissions on <see cref="RemoteRtxSsrc"/>, enters the room.</summary>
    private static Producer PublishRemoteVideo(EngineRoom room, IRtcpSender upstream)
    {
        Producer local = room.Publisher.VideoProducer();
        var track = new PublishedTrack("r0", MediaKind.Video, RemoteSsrc, RemoteRtxSsrc, "remote-video", local.Codec, local.Extensions);
        Producer remote = room.Engine.PublishRemote(room.Engine.Rooms.Find(EngineRoom.Name)!, "node-b", "p-remote", track, upstream);
        room.Settle();
        return remote;
    }

    /// <summary>Relays more packets from <paramref name="first"/> on than a buffer holds, so what came before is gone from it; returns the next number.</summary>
    private static ushort PastTheBuffer(Producer remote, int first, Func<long> now, byte[] scratch)
    {
        int next = first;
        for (; next < first + RetransmissionBuffer.DefaultCapacity + 10; next++)
        {
            Assert.True(remote.OnRelayed(StreamPackets.Vp8(RemoteSsrc, (ushort)next, keyframe: false), now(), scratch));
        }

        return (ushort)next;
    }

    /// <summary>A subscriber's generic NACK for <paramref name="sequenceNumber"/> of its <paramref name="ssrc"/>.</summary>
    private static byte[] Nack(uint ssrc, ushort sequenceNumber)
    {
        byte[] nack = new byte[64];
        int length = GenericNack.TryWrite(nack, 0x1234, ssrc, [sequenceNumber]);
        return nack[..length];
    }

    private static List<(uint Ssrc, ushort Sequence)> Nacked(RecordingRtcpSender upstream)
    {
        var lost = new List<(uint, ushort)>();
        foreach (byte[] packet in upstream.Sent)
        {
            if (GenericNack.TryParse(packet, out GenericNack nack))
            {
                foreach (ushort sequenceNumber in nack.LostSequenceNumbers)
                {
                    lost.Add((nack.MediaSsrc, sequenceNumber));
                }
            }
        }

        return lost;
    }

    [Fact]
    public async Task A_newcomer_subscribes_to_the_remote_tracks_already_in_the_room()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 0);
        Room engineRoom = room.Engine.Rooms.Find(EngineRoom.Name)!;
        Producer local = room.Publisher.VideoProducer();
        var track = new PublishedTrack("r0", MediaKind.Video, RemoteSsrc, null, "remote-video", local.Codec, local.Extensions);
        Producer remote = room.Engine.PublishRemote(engineRoom, "node-b", "p-remote", track, new RecordingRtcpSender());

        EnginePeer newcomer = room.Join(publish: false);
        room.Settle();
        Assert.Contains(newcomer.Participant!.DownTracks, d => d.Source == remote);
        Assert.Equal("p-remote", remote.StreamId);
    }

    [Fact]
    public async Task A_local_track_goes_once_over_each_relay_link_that_wants_it_unchanged_and_allocates_nothing_per_packet()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1);
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new FirstPacketSink();
        RelayLink toB = await LinkAsync(portA, portB, sinkB, cancel);
        room.Engine.Rooms.Find(EngineRoom.Name)!.RelayLinks = [toB];
        Producer video = room.Publisher.VideoProducer();

        // Node B has not said it wants the track: nothing goes its way.
        room.SendVideo(0, keyframe: true);
        Assert.Equal(0, toB.PacketsSent);
        Assert.Equal(1, room.Subscribers[0].MediaReceived);

        video.SetRelayTargets(0, [toB]);
        byte[] first = room.SendVideo(1, keyframe: true);
        await Until(() => sinkB.First is not null, cancel);
        Assert.Equal(first, sinkB.First);

        byte[][] datagrams = [.. Enumerable.Range(2, 1000).Select(i => room.Publisher.ProtectRtp(StreamPackets.Vp8(room.Publisher.VideoSsrc, (ushort)i, keyframe: false)))];
        long allocated = Allocations.Measure(i => room.Deliver(room.Publisher, datagrams[i]), iterations: 300, warmUp: 100);
        Assert.Equal(0, allocated);
        // Sent synchronously, one per packet (the receiving socket may drop some of a burst this fast).
        Assert.Equal(1001, toB.PacketsSent);
        Assert.Equal(room.Subscribers[0].MediaReceived - 1, toB.PacketsSent);
        Assert.Equal(1001, video.Layers[0].PacketsRelayed);

        // Node B's subscribers all paused it: nothing more crosses, the subscriber here still gets it.
        video.SetRelayTargets(0, []);
        long received = room.Subscribers[0].MediaReceived;
        for (int i = 0; i < 10; i++)
        {
            room.SendVideo((ushort)(1100 + i), keyframe: false);
        }

        Assert.Equal(1001, toB.PacketsSent);
        Assert.Equal(received + 10, room.Subscribers[0].MediaReceived);
    }

    [Fact]
    public async Task A_relayed_simulcast_track_gives_each_subscriber_its_layer_and_asks_upstream_for_keyframes_on_that_layers_ssrc()
    {
        string[] rids = ["q", "h", "f"];
        (int Width, int Height)[] sizes = [(320, 180), (640, 360), (1280, 720)];
        uint[] ssrcs = [0x5EED_1000, 0x5EED_2000, 0x5EED_3000];
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 2, time, rids);
        time.Advance(DownTrack.KeyframeRequestInterval);
        Room engineRoom = room.Engine.Rooms.Find(EngineRoom.Name)!;
        Producer local = room.Publisher.VideoProducer();
        var upstream = new RecordingRtcpSender();

        // Its node has seen the bottom layer only so far.
        uint[] rtxSsrcs = [0x5EED_1F00, 0x5EED_2F00, 0x5EED_3F00];
        var listed = new PublishedTrack("1", MediaKind.Video, 0, null, "remote-camera", local.Codec, local.Extensions, rids, [ssrcs[0], 0, 0], rtxSsrcs);
        Producer remote = room.Engine.PublishRemote(engineRoom, "node-b", "p-remote", listed, upstream);
        room.Settle();
        Assert.True(remote.IsSimulcast);
        Assert.Equal(rids, remote.Layers.Select(l => l.Rid));
        Assert.Equal([ssrcs[0], 0u, 0u], remote.Layers.Select(l => l.Stream?.Ssrc ?? 0));

        byte[] scratch = new byte[1600];
        ushort[] sequence = [10, 2000, 30000];
        uint timestamp = 90_000;
        byte[] Frame(int layer, bool keyframe) => StreamPackets.Vp8Layer(ssrcs[layer], sequence[layer]++, timestamp, keyframe, rids[layer], sizes[layer].Width, sizes[layer].Height);
        bool[] SendFrame(bool keyframe, params int[] layers)
        {
            bool[] taken = [.. layers.Select(layer => remote.OnRelayed(Frame(layer, keyframe), time.GetTimestamp(), scratch))];
            timestamp += 3000;
            time.Advance(TimeSpan.FromMilliseconds(33));
            return taken;
        }

        Assert.Equal([true, false, false], SendFrame(keyframe: true, 0, 1, 2));

        // The next listing names the other two: they are bound to the same producer.
        room.Engine.BindRemoteLayers(remote, listed with { LayerSsrcs = ssrcs }, upstream);
        Assert.Equal(ssrcs, remote.Layers.Select(l => l.Stream!.Ssrc));
        Assert.Equal(rtxSsrcs, remote.Layers.Select(l => l.Stream!.RtxSsrc ?? 0));

        EnginePeer small = room.Subscribers[0];
        EnginePeer large = room.Subscribers[1];
        DownTrack smallTrack = small.Participant!.DownTracks.Single(d => d.Source == remote);
        DownTrack largeTrack = large.Participant!.DownTracks.Single(d => d.Source == remote);
        Assert.True(small.Participant.SetVideoSize(smallTrack.Mid!, 320, 180));
        Assert.True(large.Participant.SetVideoSize(largeTrack.Mid!, 1280, 720));

        SendFrame(keyframe: true, 0, 1);
        Assert.Equal([true, true, true], SendFrame(keyframe: true, 0, 1, 2));
        RtpPacket toLarge = large.LastVideo(out _);
        SendFrame(keyframe: false, 2);
        SendFrame(keyframe: true, 0);
        RtpPacket toSmall = small.LastVideo(out _);
        Assert.Equal((0, 2), (smallTrack.CurrentLayer, largeTrack.CurrentLayer));
        Assert.Equal(smallTrack.Ssrc, toSmall.Ssrc);
        Assert.Equal(largeTrack.Ssrc, toLarge.Ssrc);
        Assert.DoesNotContain(toSmall.Ssrc, ssrcs);
        Assert.DoesNotContain(toLarge.Ssrc, ssrcs);
        Assert.True(Vp8Descriptor.TryGetKeyframeSize(toSmall.Payload, out int smallWidth, out _));
        Assert.True(Vp8Descriptor.TryGetKeyframeSize(toLarge.Payload, out int largeWidth, out _));
        Assert.Equal((320, 1280), (smallWidth, largeWidth));

        // The small tile grows: a keyframe of the top layer is asked for upstream, on its SSRC,
        // and the subscriber moves to it at that keyframe on the same SSRC, numbering running on.
        upstream.Sent.Clear();
        time.Advance(DownTrack.KeyframeRequestInterval);
        Assert.True(small.Participant.SetVideoSize(smallTrack.Mid!, 1280, 720));
        SendFrame(keyframe: false, 0, 1, 2);
        RtpPacket beforeSwitch = small.LastVideo(out _);
        Assert.Contains(upstream.Sent, pli => PictureLossIndication.TryParse(pli, out PictureLossIndication request) && request.MediaSsrc == ssrcs[2]);
        Assert.All(upstream.Sent, pli => Assert.True(PictureLossIndication.TryParse(pli, out _)));
        SendFrame(keyframe: true, 2);
        RtpPacket switched = small.LastVideo(out _);
        Assert.Equal(2, smallTrack.CurrentLayer);
        Assert.Equal(smallTrack.Ssrc, switched.Ssrc);
        Assert.True(Vp8Descriptor.TryGetKeyframeSize(switched.Payload, out int switchedWidth, out _));
        Assert.Equal(1280, switchedWidth);
        Assert.Equal((ushort)(beforeSwitch.SequenceNumber + 1), switched.SequenceNumber);

        // The per-packet path of a layer: find it by SSRC, its stream, every down-track.
        byte[][] packets = [.. Enumerable.Range(0, 1000).Select(_ => Frame(2, keyframe: false))];
        long allocated = Allocations.Measure(i => remote.OnRelayed(packets[i], time.GetTimestamp(), scratch), iterations: 300, warmUp: 100);
        Assert.Equal(0, allocated);

        SfuEngine.UnpublishRemote(remote);
        room.Settle();
        Assert.True(engineRoom.RemotePublishers.IsEmpty);
        Assert.False(remote.OnRelayed(Frame(1, keyframe: true), time.GetTimestamp(), scratch));
    }

    [Fact]
    public async Task A_listing_without_a_known_ssrc_or_with_a_repeated_one_is_refused()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 0);
        Room engineRoom = room.Engine.Rooms.Find(EngineRoom.Name)!;
        Producer local = room.Publisher.VideoProducer();
        var unknown = new PublishedTrack("1", MediaKind.Video, 0, null, "remote-camera", local.Codec, local.Extensions, ["q", "h"], [0, 0]);
        var repeated = unknown with { LayerSsrcs = [RemoteSsrc, RemoteSsrc] };

        // A retransmission SSRC must be one no other stream of the track uses, one per layer.
        var known = unknown with { LayerSsrcs = [RemoteSsrc, RemoteSsrc + 1] };
        PublishedTrack[] badRtx =
        [
            known with { LayerRtxSsrcs = [RemoteSsrc + 1, RemoteRtxSsrc] },
            known with { LayerRtxSsrcs = [RemoteRtxSsrc, RemoteRtxSsrc] },
            known with { LayerRtxSsrcs = [RemoteRtxSsrc] },
            new PublishedTrack("2", MediaKind.Video, RemoteSsrc, RemoteSsrc, "remote-camera", local.Codec, local.Extensions),
        ];
        Assert.True((known with { LayerRtxSsrcs = [RemoteRtxSsrc, 0] }).IsRelayable);
        foreach (PublishedTrack track in (PublishedTrack[])[unknown, repeated, .. badRtx])
        {
            Assert.False(track.IsRelayable, track.ToString());
            Assert.Throws<ArgumentException>(() => room.Engine.PublishRemote(engineRoom, "node-b", "p-remote", track, new RecordingRtcpSender()));
        }

        Assert.True(engineRoom.RemotePublishers.IsEmpty);
    }

    [Fact]
    public async Task Every_layer_of_a_local_simulcast_track_goes_over_the_relay_link_on_its_own_ssrc()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string[] rids = ["q", "h", "f"];
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 0, simulcastRids: rids);
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new AllPacketsSink();
        RelayLink toB = await LinkAsync(portA, portB, sinkB, cancel);
        room.Engine.Rooms.Find(EngineRoom.Name)!.RelayLinks = [toB];
        for (int layer = 0; layer < rids.Length; layer++)
        {
            room.Publisher.VideoProducer().SetRelayTargets(layer, [toB]);
        }

        uint[] ssrcs = [0x7000, 0x7001, 0x7002];
        byte[][] sent = [.. Enumerable.Range(0, 3).Select(layer => StreamPackets.Vp8Layer(ssrcs[layer], (ushort)(100 * layer), 3000, keyframe: true, rids[layer], 320 << layer, 180 << layer))];
        foreach (byte[] packet in sent)
        {
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(packet));
        }

        await Until(() => sinkB.Packets.Count >= 3, cancel);
        Assert.Equal(sent, sinkB.Packets.OrderBy(p => BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(8))));
        Assert.Equal(ssrcs, room.Publisher.VideoProducer().Layers.Select(l => l.Stream!.Ssrc));
    }

    [Fact]
    public async Task A_layer_another_node_wants_is_not_paused_for_want_of_a_subscriber_here_and_one_nobody_wants_is()
    {
        string[] rids = ["q", "h", "f"];
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 0, time, rids);
        using var port = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        Room engineRoom = room.Engine.Rooms.Find(EngineRoom.Name)!;
        Producer video = room.Publisher.VideoProducer();

        // The engine's housekeeping re-evaluates demand as the clock moves; so does the test.
        // Node B's subscribers want the middle layer (and so the one below): the top one goes.
        RelayLink toB = port.Open("node-a", "node-b", new IPEndPoint(IPAddress.Loopback, 9), Pin(DtlsTestCertificates.B), new FirstPacketSink());
        engineRoom.RelayLinks = [toB];
        video.SetRelayTargets(0, [toB]);
        video.SetRelayTargets(1, [toB]);
        _ = video.Demand.Update(out _);
        time.Advance(LayerDemand.UnusedBeforePause + TimeSpan.FromSeconds(1));
        _ = video.Demand.Update(out _);
        Assert.Equal([true, true, false], video.Layers.Select(l => l.IsActive));

        // One of them grows its tile: the top layer is asked for again at once.
        video.SetRelayTargets(2, [toB]);
        Assert.Equal([true, true, true], video.Layers.Select(l => l.IsActive));
        Assert.Equal(["q", "h", "f"], room.Publisher.LayerNotices.Last().ActiveRids);

        // Node B's subscribers all paused it and nobody here watches: only the bottom layer stays.
        for (int layer = 0; layer < rids.Length; layer++)
        {
            video.SetRelayTargets(layer, []);
        }

        _ = video.Demand.Update(out _);
        time.Advance(LayerDemand.UnusedBeforePause + TimeSpan.FromSeconds(1));
        _ = video.Demand.Update(out _);
        Assert.Equal([true, false, false], video.Layers.Select(l => l.IsActive));
    }

    /// <summary>Node A's side of a connected link to node B, whose packets from A go to <paramref name="sinkB"/>.</summary>
    private static async Task<RelayLink> LinkAsync(RelayPort portA, RelayPort portB, IRelaySink sinkB, CancellationToken cancel)
    {
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new FirstPacketSink());
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] connected = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], connected);
        return toB;
    }

    private static DtlsFingerprint Pin(DtlsCertificate certificate)
    {
        Assert.True(DtlsFingerprint.TryParse(certificate.FingerprintAlgorithm, certificate.Fingerprint, out DtlsFingerprint? pin));
        return pin;
    }

    private static async Task Until(Func<bool> condition, CancellationToken cancel)
    {
        long deadline = Environment.TickCount64 + (long)DtlsTestPair.TestTimeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "timed out waiting for relayed packets");
            await Task.Delay(10, cancel);
        }
    }

    private sealed class RecordingRtcpSender : IRtcpSender
    {
        public ConcurrentQueue<byte[]> Sent { get; } = new();

        /// <summary>False: only counted, so a measured path allocates nothing here.</summary>
        public bool Keep { get; init; } = true;

        public bool IsConnected => true;

        public bool SendRtcp(ReadOnlySpan<byte> compound)
        {
            if (Keep)
            {
                Sent.Enqueue(compound.ToArray());
            }

            return true;
        }
    }

    /// <summary>Keeps every packet.</summary>
    private sealed class AllPacketsSink : IRelaySink
    {
        public ConcurrentQueue<byte[]> Packets { get; } = new();

        public void OnRtp(RelayLink link, ReadOnlySpan<byte> packet) => Packets.Enqueue(packet.ToArray());

        public void OnRtcp(RelayLink link, ReadOnlySpan<byte> compound)
        {
        }
    }

    /// <summary>Keeps the first packet.</summary>
    private sealed class FirstPacketSink : IRelaySink
    {
        public byte[]? First { get; private set; }

        public void OnRtp(RelayLink link, ReadOnlySpan<byte> packet) => First ??= packet.ToArray();

        public void OnRtcp(RelayLink link, ReadOnlySpan<byte> compound)
        {
        }
    }
}
