using Sfu.Core.Routing;
using Sfu.Core.Rtp;
using Sfu.Core.Tests.Rtp;

namespace Sfu.Core.Tests.Routing;

public class AudioLevelMeterTests
{
    private const byte LevelId = 1;

    [Theory]
    // RFC 6464 §3: the low 7 bits are -dBov (0 loudest, 127 silence); the V bit is ignored.
    [InlineData(new byte[] { 0x00 }, 127)]          // 0 dBov, the loudest
    [InlineData(new byte[] { 0x7F }, 0)]            // -127 dBov, silence
    [InlineData(new byte[] { 0x80 | 30 }, 97)]      // V=1, -30 dBov
    [InlineData(new byte[] { 30 }, 97)]             // V=0, -30 dBov
    public void Loudness_is_127_minus_the_level(byte[] extensionValue, int expected)
    {
        var meter = new AudioLevelMeter(LevelId);
        Observe(meter, Packet(LevelId, extensionValue), Packet(LevelId, extensionValue));

        Assert.Equal(new AudioLevelSample(expected, 2), meter.Take());
        Assert.False(meter.Take().HasAudio);
    }

    [Fact]
    public void The_sample_is_the_mean_over_the_packets_since_the_last_take()
    {
        var meter = new AudioLevelMeter(LevelId);
        Observe(meter, Packet(LevelId, [127]), Packet(LevelId, [27]), Packet(LevelId, [127]), Packet(LevelId, [27]));

        Assert.Equal(new AudioLevelSample(50, 4), meter.Take());
    }

    [Fact]
    public void Packets_without_the_extension_or_with_another_id_are_not_counted()
    {
        var meter = new AudioLevelMeter(LevelId);
        Observe(meter, RtpTestPackets.Build(0, false, [], [1, 2, 3], 0), Packet(id: 3, [0]));

        Assert.False(meter.Take().HasAudio);
    }

    [Fact]
    public void Observing_allocates_nothing()
    {
        var meter = new AudioLevelMeter(LevelId);
        byte[] packet = Packet(LevelId, [40]);

        int parsed = 0;
        long allocated = Allocations.Measure(() =>
        {
            if (RtpPacket.TryParse(packet, out RtpPacket view) == RtpParseResult.Ok)
            {
                meter.Observe(view);
                parsed++;
            }
        });

        Assert.Equal(1100, parsed); // 100 to warm up, 1000 measured
        Assert.Equal(0, allocated);
        Assert.Equal(new AudioLevelSample(87, 1100), meter.Take());
    }

    private static byte[] Packet(byte id, byte[] value) => RtpTestPackets.Build(0, false, [(id, value)], [0xFC, 0xFF, 0xFE], 0);

    private static void Observe(AudioLevelMeter meter, params byte[][] packets)
    {
        foreach (byte[] packet in packets)
        {
            Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket view));
            meter.Observe(view);
        }
    }
}
