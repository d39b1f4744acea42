using System.Collections.Concurrent;
using System.Net;
using Sfu.Core.Dtls;
using Sfu.Core.Relay;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Srtp;
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
    public async Task A_local_track_goes_once_over_each_relay_link_unchanged_and_allocates_nothing_per_packet()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1);
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new FirstPacketSink();
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new FirstPacketSink());
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] connected = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], connected);
        room.Engine.Rooms.Find(EngineRoom.Name)!.RelayLinks = [toB];

        byte[] first = room.SendVideo(1, keyframe: true);
        await Until(() => sinkB.First is not null, cancel);
        Assert.Equal(first, sinkB.First);

        byte[][] datagrams = [.. Enumerable.Range(2, 1000).Select(i => room.Publisher.ProtectRtp(StreamPackets.Vp8(room.Publisher.VideoSsrc, (ushort)i, keyframe: false)))];
        long allocated = Allocations.Measure(i => room.Deliver(room.Publisher, datagrams[i]), iterations: 300, warmUp: 100);
        Assert.Equal(0, allocated);
        // Sent synchronously, one per packet (the receiving socket may drop some of a burst this fast).
        Assert.Equal(1001, toB.PacketsSent);
        Assert.Equal(room.Subscribers[0].MediaReceived, toB.PacketsSent);
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

        public bool IsConnected => true;

        public bool SendRtcp(ReadOnlySpan<byte> compound)
        {
            Sent.Enqueue(compound.ToArray());
            return true;
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
