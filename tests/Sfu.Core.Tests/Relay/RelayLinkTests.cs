using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Sfu.Core.Dtls;
using Sfu.Core.Relay;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Dtls;

namespace Sfu.Core.Tests.Relay;

/// <summary>Two nodes' relay ports on real loopback sockets, as two cluster nodes run them.</summary>
public class RelayLinkTests
{
    [Fact]
    public async Task Two_nodes_handshake_on_pinned_fingerprints_and_carry_rtp_and_rtcp_both_ways_unchanged()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkA = new RecordingSink();
        var sinkB = new RecordingSink();
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), sinkA);
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);

        // The lower id is the DTLS client on both sides' reckoning.
        Assert.Equal(DtlsRole.Client, toB.Role);
        Assert.Equal(DtlsRole.Server, toA.Role);
        bool[] connected = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], connected);

        byte[] video = Rtp(ssrc: 0x1111_2222, sequence: 7, payloadType: 96, payload: [0x10, 0x20, 0x30, 0x40, 0x50]);
        byte[] audio = Rtp(ssrc: 0x3333_4444, sequence: 65535, payloadType: 111, payload: [0xAA, 0xBB]);
        Assert.True(Send(toB, video));
        Assert.True(Send(toA, audio));
        byte[] pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0x11, 0x11, 0x22, 0x22];
        Assert.True(toA.SendRtcp(pli));

        await Poll(() => sinkB.Rtp.Count == 1 && sinkA.Rtp.Count == 1 && sinkA.Rtcp.Count == 1, cancel);
        Assert.Equal(video, sinkB.Rtp.Single());
        Assert.Equal(audio, sinkA.Rtp.Single());
        Assert.Equal(pli, sinkA.Rtcp.Single());
        Assert.Equal(0x1111_2222u, BinaryPrimitives.ReadUInt32BigEndian(sinkB.Rtp.Single().AsSpan(8)));
        Assert.Equal((1, video.Length), (toB.PacketsSent, (int)toB.BytesSent));
        Assert.Equal((1, video.Length), (toA.PacketsReceived, (int)toA.BytesReceived));
        Assert.Equal("node-a", toA.PeerNodeId);
    }

    [Fact]
    public async Task A_sink_that_throws_does_not_end_the_receive_loop_the_fault_is_reported_and_the_next_packet_arrives()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var faults = new ConcurrentQueue<Exception>();
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B, onFault: faults.Enqueue);
        var sinkB = new ThrowingOnceSink();
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new RecordingSink());
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] connected = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], connected);

        Assert.True(Send(toB, Rtp(ssrc: 1, sequence: 1, payloadType: 96, payload: [1])));
        await Poll(() => portB.Faults == 1, cancel);
        Assert.True(Send(toB, Rtp(ssrc: 1, sequence: 2, payloadType: 96, payload: [2])));

        await Poll(() => sinkB.Rtp.Count == 1, cancel);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(sinkB.Rtp.Single().AsSpan(2)));
        Assert.IsType<InvalidOperationException>(Assert.Single(faults));
    }

    [Fact]
    public async Task A_node_that_drops_its_end_closes_the_peers_and_the_two_new_ends_connect()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new RecordingSink();
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new RecordingSink());
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] toBUp = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], toBUp);

        // Node A's bookkeeping drops its end and opens a new one: its close_notify ends B's.
        toB.Dispose();
        await Poll(() => toA.Closed, cancel);
        Assert.False(toA.IsConnected);

        RelayLink toB2 = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new RecordingSink());
        RelayLink toA2 = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] toB2Up = await Task.WhenAll(toB2.ConnectAsync(cancel), toA2.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], toB2Up);
        byte[] video = Rtp(ssrc: 0x1111_2222, sequence: 8, payloadType: 96, payload: [1, 2, 3]);
        Assert.True(Send(toB2, video));
        await Poll(() => sinkB.Rtp.Count == 1, cancel);
        Assert.Equal(video, sinkB.Rtp.Single());
    }

    [Fact]
    public async Task A_new_client_hello_from_the_peer_ends_a_standing_association()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new RecordingSink());
        var sinkB = new RecordingSink();
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] toBUp = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], toBUp);

        Assert.True(Send(toB, Rtp(ssrc: 0x1111_2222, sequence: 9, payloadType: 96, payload: [1])));
        await Poll(() => sinkB.Rtp.Count == 1, cancel);
        Assert.True(toA.IsConnected);

        // Node A's relay restarted its end without a close_notify reaching B: its ClientHello
        // (epoch 0, handshake type 1) is what B sees, and B's end is done.
        byte[] clientHello = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 1, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 8];
        Assert.True(portA.SendTo(clientHello, toB.RemoteAddress));
        await Poll(() => toA.Closed, cancel);
        Assert.False(toA.IsConnected);
    }

    [Fact]
    public async Task A_link_pinned_to_another_certificate_fails_and_delivers_nothing()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new RecordingSink();

        // Node A expects some other node's certificate at B's address.
        DtlsCertificate stranger = DtlsCertificate.Generate();
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(stranger), new RecordingSink());
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        Task<bool> serverSide = toA.ConnectAsync(cancel);
        Assert.False(await toB.ConnectAsync(cancel).WaitAsync(DtlsTestPair.TestTimeout, cancel));
        Assert.False(toB.IsConnected);
        Assert.NotNull(toB.Error);
        Assert.False(Send(toB, Rtp(1, 1, 96, [1, 2, 3])));
        toB.Dispose();
        toA.Dispose();
        await serverSide.WaitAsync(DtlsTestPair.TestTimeout, cancel).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Empty(sinkB.Rtp);
    }

    [Fact]
    public async Task Datagrams_from_an_address_that_is_not_a_peer_node_never_reach_the_sink()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var portA = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.A);
        using var portB = new RelayPort(IPAddress.Loopback, 0, DtlsTestCertificates.B);
        var sinkB = new RecordingSink();
        RelayLink toB = portA.Open("node-a", "node-b", portB.LocalEndPoint, Pin(DtlsTestCertificates.B), new RecordingSink());
        RelayLink toA = portB.Open("node-b", "node-a", portA.LocalEndPoint, Pin(DtlsTestCertificates.A), sinkB);
        bool[] connected = await Task.WhenAll(toB.ConnectAsync(cancel), toA.ConnectAsync(cancel)).WaitAsync(DtlsTestPair.TestTimeout, cancel);
        Assert.Equal([true, true], connected);

        // Plain RTP and DTLS from a third socket: not a known peer, dropped unread.
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stranger.SendTo(Rtp(9, 9, 96, [9, 9, 9]), portB.LocalEndPoint);
        stranger.SendTo(new byte[] { 22, 254, 253, 0, 0 }, portB.LocalEndPoint);

        // A packet from the real peer after them proves the stranger's were read and dropped.
        byte[] marker = Rtp(0xABCD, 1, 96, [7]);
        Assert.True(Send(toB, marker));
        await Poll(() => !sinkB.Rtp.IsEmpty, cancel);
        Assert.Equal(marker, sinkB.Rtp.Single());
        Assert.Equal(1, toA.PacketsReceived);
    }

    private static DtlsFingerprint Pin(DtlsCertificate certificate)
    {
        Assert.True(DtlsFingerprint.TryParse(certificate.FingerprintAlgorithm, certificate.Fingerprint, out DtlsFingerprint? pin));
        return pin;
    }

    private static bool Send(RelayLink link, byte[] packet)
    {
        byte[] buffer = new byte[packet.Length + SrtpContext.MaxRtpOverhead];
        packet.CopyTo(buffer, 0);
        return link.SendRtp(buffer, packet.Length);
    }

    private static byte[] Rtp(uint ssrc, ushort sequence, byte payloadType, byte[] payload)
    {
        byte[] packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 90_000);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet, 12);
        return packet;
    }

    private static async Task Poll(Func<bool> condition, CancellationToken cancel)
    {
        long deadline = Environment.TickCount64 + (long)DtlsTestPair.TestTimeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "timed out waiting for relayed packets");
            await Task.Delay(10, cancel);
        }
    }

    /// <summary>Throws on the first RTP packet (a fault of ours in the handling), records the rest.</summary>
    private sealed class ThrowingOnceSink : IRelaySink
    {
        private int _seen;

        public ConcurrentQueue<byte[]> Rtp { get; } = new();

        public void OnRtp(RelayLink link, ReadOnlySpan<byte> packet)
        {
            if (Interlocked.Increment(ref _seen) == 1)
            {
                throw new InvalidOperationException("a fault in the handling");
            }

            Rtp.Enqueue(packet.ToArray());
        }

        public void OnRtcp(RelayLink link, ReadOnlySpan<byte> compound)
        {
        }
    }

    private sealed class RecordingSink : IRelaySink
    {
        public ConcurrentQueue<byte[]> Rtp { get; } = new();

        public ConcurrentQueue<byte[]> Rtcp { get; } = new();

        public void OnRtp(RelayLink link, ReadOnlySpan<byte> packet) => Rtp.Enqueue(packet.ToArray());

        public void OnRtcp(RelayLink link, ReadOnlySpan<byte> compound) => Rtcp.Enqueue(compound.ToArray());
    }
}
