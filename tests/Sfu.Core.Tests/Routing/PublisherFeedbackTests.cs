using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// The transport-wide feedback the engine sends a publisher, through the real engine in memory:
/// every packet of the transport counts, whatever its SSRC, or the publisher's estimator reads
/// the ones we left out as lost (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
/// </summary>
public sealed class PublisherFeedbackTests : IAsyncLifetime
{
    private const byte TransportCcId = EnginePeer.TransportCcExtensionId;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private EngineRoom _room = null!;

    public async ValueTask InitializeAsync()
    {
        _room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, _time, ["q", "h", "f"]);
        _room.Publisher.KeepRtcp = true;
    }

    public ValueTask DisposeAsync() => _room.DisposeAsync();

    private static (byte Id, byte[] Value) TransportSequence(ushort sequence)
    {
        byte[] value = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(value, sequence);
        return (TransportCcId, value);
    }

    private void Send(byte[] packet)
    {
        _room.Deliver(_room.Publisher, _room.Publisher.ProtectRtp(packet));
        _time.Advance(TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public void Packets_on_ssrcs_the_server_does_not_know_are_reported_received()
    {
        byte[] mid = "1"u8.ToArray();
        long unknownBefore = _room.Engine.Counters.DroppedCount(DropReason.UnknownSsrc);

        // 1: audio; 2: a padding-only probe on the retransmission SSRC of layer f, whose media
        // has not arrived yet (its SSRC is not learnt); 3: a probe on an SSRC nothing names;
        // 4: the first packet of layer q, learnt by its rid; 5, 100 ms on: audio again.
        Send(StreamPackets.WithExtensions(_room.Publisher.AudioSsrc, 1, 960, EnginePeer.AudioPayloadType, [TransportSequence(1)], [0xF8, 0xFF, 0xFE]));
        Send(StreamPackets.WithExtensions(0x0BAD_F00D, 1, 0, 97, [(EnginePeer.MidExtensionId, mid), (EnginePeer.RepairedRidExtensionId, "f"u8.ToArray()), TransportSequence(2)], [], padding: 224));
        Send(StreamPackets.WithExtensions(0x0ACE_0FF1, 7, 0, 96, [TransportSequence(3)], [], padding: 224));
        Send(StreamPackets.WithExtensions(0x6001, 1, 3000, EnginePeer.VideoPayloadType, [(EnginePeer.MidExtensionId, mid), (EnginePeer.RidExtensionId, "q"u8.ToArray()), TransportSequence(4)], [0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xB4, 0x00, 0xAB]));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Send(StreamPackets.WithExtensions(_room.Publisher.AudioSsrc, 2, 1920, EnginePeer.AudioPayloadType, [TransportSequence(5)], [0xF8, 0xFF, 0xFE]));

        var statuses = new List<TransportWidePacketStatus>();
        foreach (byte[] rtcp in _room.Publisher.TakeRtcp())
        {
            if (TransportWideFeedback.TryParse(rtcp, out TransportWideFeedback feedback))
            {
                foreach (TransportWidePacketStatus status in feedback.Packets)
                {
                    statuses.Add(status);
                }
            }
        }

        Assert.Equal([1, 2, 3, 4, 5], statuses.Select(s => (int)s.SequenceNumber));
        Assert.All(statuses, s => Assert.True(s.Received, $"{s.SequenceNumber} reported lost"));
        long[] arrivals = [.. statuses.Select(s => s.ArrivalMicros)];
        Assert.Equal([5_000, 5_000, 5_000, 105_000], arrivals.Zip(arrivals.Skip(1), (a, b) => b - a));

        // The two probes still reach no stream: only the feedback counts them.
        Assert.Equal(2, _room.Engine.Counters.DroppedCount(DropReason.UnknownSsrc) - unknownBefore);
    }
}
