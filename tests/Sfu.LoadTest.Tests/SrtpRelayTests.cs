using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sfu.Core.Srtp;

namespace Sfu.LoadTest.Tests;

/// <summary>
/// The SRTP relay baseline in its own process: every copy it sends must be an SRTP packet a real
/// receiver decrypts with the keys that subscriber gave (here Sfu.Core's SRTP, used only as the
/// receiver), with the payload and header the publisher sent, across a sequence-number wrap.
/// </summary>
public sealed partial class SrtpRelayTests
{
    private const int Subscribers = 3;
    private const int Packets = 40;
    private const ushort FirstSequence = 65_520;

    [Fact(Timeout = 60_000)]
    public async Task Every_copy_decrypts_with_its_subscribers_keys_across_a_sequence_wrap()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        (ChildProcess relayProcess, Match ready) = await ChildProcess.StartDotnetAsync(
            typeof(RelayServer).Assembly.Location, ["relay-server", "--bind", "127.0.0.1", "--mode", "srtp"], ReadyLine(), TimeSpan.FromSeconds(30), cancel);
        using ChildProcess relay = relayProcess;
        var relayEndPoint = IPEndPoint.Parse(ready.Groups["endpoint"].Value);

        var receivers = new List<(Socket Socket, SrtpContext Srtp)>();
        try
        {
            for (int i = 0; i < Subscribers; i++)
            {
                byte[] key = RandomNumberGenerator.GetBytes(RelaySrtpSender.MasterKeyLength);
                byte[] salt = RandomNumberGenerator.GetBytes(RelaySrtpSender.MasterSaltLength);
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20, ReceiveTimeout = 5_000 };
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                socket.Connect(relayEndPoint);
                receivers.Add((socket, SrtpContext.Create(SrtpProfile.AeadAes128Gcm, key, salt)));
                socket.Send(RelayServer.CreateHello(0, key, salt));
                byte[] echo = new byte[16];
                Assert.Equal(1, socket.Receive(echo));
                Assert.Equal(RelayServer.Hello, echo[0]);
            }

            using var publisher = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            publisher.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            publisher.Connect(relayEndPoint);
            var sent = new List<byte[]>();
            for (int i = 0; i < Packets; i++)
            {
                byte[] packet = Rtp((ushort)(FirstSequence + i), withExtension: i % 5 == 0, payloadLength: 100 + (i * 25));
                sent.Add(packet);
                publisher.Send(packet);

                // Paced a little: loopback drops nothing, but a burst could outrun a receive buffer.
                await Task.Delay(2, cancel);
            }

            byte[] buffer = new byte[2048];
            foreach ((Socket socket, SrtpContext srtp) in receivers)
            {
                foreach (byte[] expected in sent)
                {
                    int length = socket.Receive(buffer);
                    Assert.Equal(expected.Length + RelaySrtpSender.TagLength, length);

                    // The header travels in the clear (RFC 3711 §3.1); the payload does not.
                    int header = expected.Length - PayloadLength(expected);
                    Assert.True(buffer.AsSpan(0, header).SequenceEqual(expected.AsSpan(0, header)));
                    Assert.False(buffer.AsSpan(header, expected.Length - header).SequenceEqual(expected.AsSpan(header)));

                    Assert.Equal(SrtpResult.Ok, srtp.UnprotectRtp(buffer.AsSpan(0, length), out int plainLength));
                    Assert.True(buffer.AsSpan(0, plainLength).SequenceEqual(expected), $"packet {BinaryPrimitives.ReadUInt16BigEndian(expected.AsSpan(2))} differs after decryption");
                }
            }

            // A copy for one subscriber does not decrypt with another's keys.
            publisher.Send(Rtp(unchecked((ushort)(FirstSequence + Packets)), withExtension: false, payloadLength: 300));
            int first = receivers[0].Socket.Receive(buffer);
            Assert.NotEqual(SrtpResult.Ok, receivers[1].Srtp.UnprotectRtp(buffer.AsSpan(0, first), out _));
        }
        finally
        {
            foreach ((Socket socket, SrtpContext srtp) in receivers)
            {
                socket.Dispose();
                srtp.Dispose();
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_srtp_relay_runs_the_fanout_with_decrypting_and_counting_subscribers()
    {
        var options = LoadOptions.Parse(["fanout", "--target", "relay", "--relay-mode", "srtp", "--subscribers", "6", "--subscriber-mode", "count", "--full-subscribers", "2", "--duration", "2", "--warmup", "1"]);
        await using var target = new RelayTarget(options);
        await target.StartAsync(_ => { }, TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        ReceiveSample sample = target.Sample(withLatency: true);

        Assert.Equal(12, sample.Tracks);
        Assert.True(sample.Packets > 500, $"only {sample.Packets} packets");
        Assert.Equal(sample.Expected, sample.Packets);
        Assert.All(target.Subscribers, s => Assert.Equal(0, s.DecryptFailures));

        // Latency comes from the two full subscribers, which decrypted.
        Assert.False(double.IsNaN(sample.LatencyP50Milliseconds));
        Assert.Equal("relay-srtp", options.TargetName);
        Assert.Equal("1 → 6 counted", ScenarioPlan.Describe(options));
    }

    [Fact(Timeout = 60_000)]
    public async Task In_rooms_each_member_gets_its_room_mates_streams_and_no_one_elses()
    {
        const int Rooms = 3;
        const int RoomSize = 3;
        var options = LoadOptions.Parse(["rooms", "--target", "relay", "--relay-mode", "srtp", "--rooms", $"{Rooms}", "--room-size", $"{RoomSize}", "--duration", "2", "--warmup", "1"]);
        await using var target = new RelayTarget(options);
        await target.StartAsync(_ => { }, TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        ReceiveSample sample = target.Sample(withLatency: false);

        // Each member hears the other two members of its room: audio and video from each.
        Assert.Equal(Rooms * RoomSize * (RoomSize - 1) * 2, sample.Tracks);
        Assert.True(sample.Packets > 1000, $"only {sample.Packets} packets");
        Assert.Equal(sample.Expected, sample.Packets);
        Assert.All(target.Subscribers, s => Assert.Equal(0, s.DecryptFailures));
        for (int member = 0; member < Rooms * RoomSize; member++)
        {
            int first = member / RoomSize * RoomSize;
            uint[] mates = [.. Enumerable.Range(first, RoomSize).Where(m => m != member).SelectMany(m => new[] { RelayTarget.Ssrcs(m).Audio, RelayTarget.Ssrcs(m).Video }).Order()];
            Assert.Equal(mates, target.Subscribers[member].ReceivedSsrcs().Order());
        }

        // The per-second readings leave the percentiles out; only the window's last reading sorts.
        Assert.True(double.IsNaN(sample.LatencyP50Milliseconds));
        Assert.False(double.IsNaN(target.Sample(withLatency: true).LatencyP50Milliseconds));
        Assert.Equal("3 rooms × 3", ScenarioPlan.Describe(options));
    }

    private static byte[] Rtp(ushort sequence, bool withExtension, int payloadLength)
    {
        int header = 12 + (withExtension ? 8 : 0);
        byte[] packet = new byte[header + payloadLength];
        packet[0] = (byte)(0x80 | (withExtension ? 0x10 : 0));
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0xCAFE_F00D);
        if (withExtension)
        {
            // RFC 8285 §4.2: one-byte profile, one 32-bit word holding one 3-byte element.
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), 0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), 1);
            packet[16] = 0x12;
            packet[17] = 0xAB;
            packet[18] = 0xCD;
            packet[19] = 0xEF;
        }

        RandomNumberGenerator.Fill(packet.AsSpan(header));
        return packet;
    }

    private static int PayloadLength(byte[] packet) => packet.Length - ((packet[0] & 0x10) != 0 ? 20 : 12);

    [GeneratedRegex(RelayServer.ReadyPrefix + @"(?<endpoint>[0-9.]+:\d+)")]
    private static partial Regex ReadyLine();
}
