using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;
using Sfu.Testing;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// Packets on an SSRC none of the sender's layers owns are dropped, and the participant keeps
/// what they carried for diagnostics. The real engine in memory, a publisher of simulcast video
/// (rids q and f) that also sends on an SSRC with a rid it never offered, and on one with no
/// rid at all: neither is bound to a layer, and the log tells the two apart.
/// </summary>
public sealed class UnknownSsrcLogTests
{
    [Fact]
    public async Task Packets_on_unknown_ssrcs_are_described_per_ssrc_with_whether_they_named_a_rid()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1, simulcastRids: ["q", "f"]);
        Assert.Equal(string.Empty, room.Publisher.Participant!.DescribeUnknownSsrcs());

        const uint strangerRid = 0x1234_5678;
        const uint noRid = 0x0BAD_F00D;
        for (ushort sequence = 1; sequence <= 3; sequence++)
        {
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(strangerRid, sequence, 1000, keyframe: true, rid: "z", width: 640, height: 360)));
        }

        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8(noRid, 1, keyframe: false)));

        // A layer that was offered binds as usual and is not in the log.
        room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8Layer(0x5000, 1, 1000, keyframe: true, rid: "q", width: 320, height: 180)));

        Assert.Equal(
            "305419896: 3 packets, pt 96, 3 with a rid, 3 with a mid, 0 without payload; 195948557: 1 packets, pt 96, 0 with a rid, 0 with a mid, 0 without payload",
            room.Publisher.Participant!.DescribeUnknownSsrcs());
    }
}
