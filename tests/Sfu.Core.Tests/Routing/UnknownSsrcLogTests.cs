using Sfu.Core.Srtp;
using Sfu.Core.Tests.Streams;
using Sfu.Testing;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// Packets on an SSRC none of the sender's layers owns are dropped, and the participant keeps
/// what they carried for diagnostics: the real engine in memory, a publisher sending on an SSRC
/// it never announced (and without a rid, so no simulcast layer can claim it).
/// </summary>
public sealed class UnknownSsrcLogTests
{
    [Fact]
    public async Task Packets_on_an_unknown_ssrc_are_described_per_ssrc_with_what_they_carried()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 1);
        Assert.Equal(string.Empty, room.Publisher.Participant!.DescribeUnknownSsrcs());

        const uint stranger = 0x1234_5678;
        for (ushort sequence = 1; sequence <= 3; sequence++)
        {
            room.Deliver(room.Publisher, room.Publisher.ProtectRtp(StreamPackets.Vp8(stranger, sequence, keyframe: false)));
        }

        room.SendVideo(1, keyframe: true);

        Assert.Equal("305419896: 3 packets, pt 96, 0 with a rid, 0 with a mid, 0 without payload", room.Publisher.Participant!.DescribeUnknownSsrcs());
    }
}
