using System.Buffers.Binary;
using Sfu.Core.Rtp;
using Sfu.Core.Routing;
using Sfu.Core.Srtp;
using Sfu.Testing;

namespace Sfu.Benchmarks.Tests;

/// <summary>The benchmarks measure real work: their outputs are checked byte for byte here.</summary>
public sealed class BenchmarkOutputTests
{
    [Fact]
    public void Fixture_packet_parses_with_four_one_byte_extensions()
    {
        byte[] packet = TestMedia.VideoPacket(TestMedia.FullPayloadLength);

        Assert.Equal(TestMedia.FullPacketLength, packet.Length);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket view));
        Assert.Equal(TestMedia.VideoHeaderLength, view.HeaderLength);
        Assert.Equal(RtpPacket.OneByteExtensionProfile, view.ExtensionProfile);
        int count = 0;
        foreach (RtpHeaderExtension element in view.Extensions)
        {
            count++;
        }

        Assert.Equal(4, count);
        Assert.True(VideoKeyframe.IsKeyframe(view.Payload, VideoCodecKind.Vp8));
    }

    [Fact]
    public void Rewrite_renumbers_extensions_drops_orientation_and_restamps_the_header()
    {
        var benchmark = new RtpRewriteBenchmarks();
        benchmark.Setup();

        int length = benchmark.RewriteForSubscriber();

        Assert.Equal(TestMedia.FullPacketLength, length);
        ReadOnlySpan<byte> output = benchmark.Destination[..length];
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(output, out RtpPacket view));
        Assert.Equal(0x5000_0001u, view.Ssrc);
        Assert.Equal(TestMedia.SubscriberPayloadType, view.PayloadType);
        Assert.Equal(0, view.SequenceNumber);
        Assert.Equal(3000u, view.Timestamp);
        Assert.True(view.TryGetExtension(3, out ReadOnlySpan<byte> absSendTime));
        Assert.Equal([0x12, 0x34, 0x56], absSendTime.ToArray());
        Assert.True(view.TryGetExtension(5, out ReadOnlySpan<byte> transportCc));
        Assert.Equal([0x00, 0x07], transportCc.ToArray());
        Assert.True(view.TryGetExtension(1, out ReadOnlySpan<byte> mid));
        Assert.Equal("0"u8.ToArray(), mid.ToArray());
        Assert.False(view.TryGetExtension(2, out _));
        Assert.False(view.TryGetExtension(4, out _));
        Assert.Equal(TestMedia.VideoPacket(TestMedia.FullPayloadLength).AsSpan(TestMedia.VideoHeaderLength).ToArray(), view.Payload.ToArray());
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 100)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 1200)]
    public void Unprotect_recovers_the_plain_stream_in_order(SrtpProfile profile, int payloadLength)
    {
        using var benchmark = new SrtpUnprotectBenchmarks { Profile = profile, PayloadLength = payloadLength };
        benchmark.Setup();
        benchmark.Refill();
        byte[] plain = TestMedia.VideoPacket(payloadLength);

        // The ring protected one round at construction and a second at Refill: the stream goes on.
        int first = TestMedia.FirstSequenceNumber + SrtpUnprotectBenchmarks.RingCapacity;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(plain.Length, benchmark.Unprotect());
            Assert.Equal((ushort)(first + i), BinaryPrimitives.ReadUInt16BigEndian(benchmark.Received[2..]));
            Assert.Equal(plain.AsSpan(TestMedia.VideoHeaderLength).ToArray(), benchmark.Received[TestMedia.VideoHeaderLength..plain.Length].ToArray());
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public async Task Fan_out_through_the_engine_sends_each_subscriber_a_packet_it_can_decrypt(SrtpProfile profile)
    {
        await using BenchRoom bench = await BenchRoom.CreateAsync(profile, subscribers: 3, ringCapacity: 8);
        EngineRoom room = bench.Room;
        byte[] original = TestMedia.VideoPacket(TestMedia.FullPayloadLength);
        var previous = new Dictionary<EnginePeer, ushort>();
        var previousTransport = new Dictionary<EnginePeer, ushort>();

        for (int i = 0; i < 20; i++)
        {
            Assert.True(bench.ForwardVideo() > 0);
            foreach (EnginePeer subscriber in room.Subscribers)
            {
                byte[] wire = subscriber.LastMedia.ToArray();
                Assert.Equal(SrtpResult.Ok, subscriber.Inbound!.UnprotectRtp(wire, out int length));
                Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(wire.AsSpan(0, length), out RtpPacket view));
                DownTrack video = subscriber.Participant!.DownTracks.Single(d => d.Source.Kind == Sfu.Core.MediaKind.Video);
                Assert.Equal(video.Ssrc, view.Ssrc);
                Assert.NotEqual(room.Publisher.VideoSsrc, view.Ssrc);
                Assert.Equal(EnginePeer.VideoPayloadType, view.PayloadType);
                Assert.True(view.TryGetExtension(3, out ReadOnlySpan<byte> absSendTime), "abs-send-time under the subscriber's id");
                Assert.Equal([0x12, 0x34, 0x56], absSendTime.ToArray());
                // The publisher's transport-wide number is not forwarded: ours, one per packet toward this subscriber, is.
                Assert.True(view.TryGetExtension(EnginePeer.TransportCcExtensionId, out ReadOnlySpan<byte> transportCc));
                ushort transportSequence = BinaryPrimitives.ReadUInt16BigEndian(transportCc);
                if (previousTransport.TryGetValue(subscriber, out ushort lastTransport))
                {
                    Assert.Equal((ushort)(lastTransport + 1), transportSequence);
                }

                previousTransport[subscriber] = transportSequence;
                Assert.Equal(original.AsSpan(TestMedia.VideoHeaderLength).ToArray(), view.Payload.ToArray());
                if (previous.TryGetValue(subscriber, out ushort last))
                {
                    Assert.Equal((ushort)(last + 1), view.SequenceNumber);
                }

                previous[subscriber] = view.SequenceNumber;
            }
        }

        Assert.All(room.Subscribers, s => Assert.Equal(20, s.Participant!.DownTracks.Single(d => d.Source.Kind == Sfu.Core.MediaKind.Video).PacketsSent));
        Assert.Equal(60, room.Engine.Counters.PacketsForwarded(Sfu.Core.MediaKind.Video));
    }

    [Fact]
    public void Rtcp_benchmarks_read_every_packet_of_their_compound()
    {
        var benchmark = new RtcpParseBenchmarks();
        benchmark.Setup();

        Assert.Equal(2, benchmark.SenderReportAndSdes() & 0xF);
        Assert.Equal(3, benchmark.ReceiverReportNackPli() & 0xF);
        Assert.Equal(-1, RtcpParseBenchmarks.Read([0x80, 200, 0, 9]));
    }

    [Fact]
    public void Packets_per_second_loop_reports_a_rate()
    {
        ThroughputResult result = PacketsPerSecond.Measure(SrtpProfile.AeadAes128Gcm, subscribers: 10, TimeSpan.FromMilliseconds(50));

        Assert.True(result.ReceivedPackets >= PacketsPerSecond.RingCapacity);
        Assert.True(result.ReceivedPerSecond > 0);
        Assert.Equal(result.ReceivedPerSecond * 10, result.SentPerSecond, 6);
    }
}
