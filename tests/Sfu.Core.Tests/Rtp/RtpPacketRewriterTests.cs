using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Rtp;

public class RtpPacketRewriterTests
{
    private const string Header = "90 60 00 01 00 00 00 01 00 00 00 01 ";   // X=1, PT 96, seq 1, ts 1, ssrc 1
    private const string HeaderNoX = "80 60 00 01 00 00 00 01 00 00 00 01 "; // same without X
    private const string Payload = " DE AD";

    private static ExtensionIdMap Map(params (byte From, byte To)[] pairs)
    {
        var map = default(ExtensionIdMap);
        foreach ((byte from, byte to) in pairs)
        {
            map.Set(from, to);
        }

        return map;
    }

    public static TheoryData<string, string, string, string> Rewrites => new()
    {
        {
            "one-byte ids renumbered, padding recomputed",
            "BE DE 00 02 10 AA 22 01 02 03 00 00", "1>3 2>5",
            "BE DE 00 02 30 AA 52 01 02 03 00 00"
        },
        {
            "first element dropped, block shrinks to one word",
            "BE DE 00 02 10 AA 22 01 02 03 00 00", "2>2",
            "BE DE 00 01 22 01 02 03"
        },
        {
            "everything dropped: no block, X cleared",
            "BE DE 00 02 10 AA 22 01 02 03 00 00", "",
            "-"
        },
        {
            "target id 20 does not fit one-byte form: two-byte form",
            "BE DE 00 02 10 AA 22 01 02 03 00 00", "1>20 2>2",
            "10 00 00 02 14 01 AA 02 03 01 02 03"
        },
        {
            "two-byte source with small ids and lengths 1..16 becomes one-byte",
            "10 00 00 02 01 01 AA 02 02 BB CC 00", "1>1 2>2",
            "BE DE 00 02 10 AA 21 BB CC 00 00 00"
        },
        {
            "two-byte source with an empty element stays two-byte",
            "10 00 00 02 01 00 02 01 BB 00 00 00", "1>4 2>5",
            "10 00 00 02 04 00 05 01 BB 00 00 00"
        },
        {
            "two-byte source with a 17-byte element stays two-byte",
            "10 00 00 05 07 11 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 00", "7>7",
            "10 00 00 05 07 11 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 00"
        },
        {
            "unknown extension profile cannot be translated and is dropped",
            "AB CD 00 01 10 AA 00 00", "1>1",
            "-"
        },
        {
            "id 15 ends the one-byte list; what follows is not copied",
            "BE DE 00 02 10 AA F0 22 01 02 03 00", "1>1 2>2",
            "BE DE 00 01 10 AA 00 00"
        },
    };

    [Theory]
    [MemberData(nameof(Rewrites))]
    public void Rebuilds_extension_block(string why, string sourceBlock, string mapText, string expectedBlock)
    {
        ExtensionIdMap map = default;
        foreach (string pair in mapText.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = pair.Split('>');
            map.Set(byte.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), byte.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        byte[] source = Hex.Parse(Header + sourceBlock + Payload);
        byte[] expected = expectedBlock == "-"
            ? Hex.Parse(HeaderNoX + Payload)
            : Hex.Parse(Header + expectedBlock + Payload);

        var destination = new byte[200];
        int written = RtpPacketRewriter.CopyWithExtensionMap(source, destination, map);
        Assert.True(written > 0, why);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Packet_without_extension_is_copied_verbatim()
    {
        byte[] source = Hex.Parse(HeaderNoX + Payload);
        var destination = new byte[64];
        int written = RtpPacketRewriter.CopyWithExtensionMap(source, destination, Map((1, 2)));
        Assert.Equal(source, destination.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Keeps_csrcs_payload_and_padding()
    {
        byte[] source = Hex.Parse(
            "B2 E0 00 01 00 00 00 10 11 11 11 11" // P=1 X=1 CC=2, M=1 PT=96
            + " 22 22 22 22 33 33 33 33"          // CSRCs
            + " BE DE 00 01 11 AB CD 00"          // id 1 → 2 bytes
            + " 01 02 03 00 00 03");              // payload + 3 padding
        var destination = new byte[64];
        int written = RtpPacketRewriter.CopyWithExtensionMap(source, destination, Map((1, 9)));
        byte[] expected = Hex.Parse(
            "B2 E0 00 01 00 00 00 10 11 11 11 11 22 22 22 22 33 33 33 33"
            + " BE DE 00 01 91 AB CD 00"
            + " 01 02 03 00 00 03");
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Too_small_destination_returns_minus_one_at_every_size()
    {
        byte[] source = Hex.Parse(Header + "BE DE 00 02 10 AA 22 01 02 03 00 00" + Payload);
        var map = Map((1, 20), (2, 2)); // grows to the two-byte form: same size here
        var destination = new byte[64];
        int needed = RtpPacketRewriter.CopyWithExtensionMap(source, destination, map);
        Assert.Equal(source.Length, needed);
        for (int size = 0; size < needed; size++)
        {
            Assert.Equal(-1, RtpPacketRewriter.CopyWithExtensionMap(source, destination.AsSpan(0, size), map));
        }

        Assert.Equal(needed, RtpPacketRewriter.CopyWithExtensionMap(source, destination.AsSpan(0, needed), map));
    }

    [Fact]
    public void Invalid_source_returns_minus_one()
        => Assert.Equal(-1, RtpPacketRewriter.CopyWithExtensionMap(Hex.Parse("40 60 00 01"), new byte[64], default));

    [Fact]
    public void Map_from_uris_matches_by_uri()
    {
        const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
        const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
        const string TwccUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
        ExtensionIdMap map = ExtensionIdMap.FromUris(
            [new(1, AudioLevelUri), new(3, TwccUri), new(4, MidUri)],
            [new(4, TwccUri), new(9, AudioLevelUri)]);
        Assert.Equal(9, map.Get(1));
        Assert.Equal(4, map.Get(3));
        Assert.Equal(0, map.Get(4)); // subscriber did not negotiate mid
        Assert.Equal(0, map.Get(2));
    }

    [Fact]
    public void Random_packets_round_trip_through_the_map()
    {
        var random = new Random(8285);
        var destination = new byte[1500];
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            // Random mapping over ids 1..20; about a third dropped.
            var map = default(ExtensionIdMap);
            var targets = new byte[256];
            for (int id = 1; id <= 20; id++)
            {
                targets[id] = random.Next(3) == 0 ? (byte)0 : (byte)random.Next(1, 30);
                map.Set((byte)id, targets[id]);
            }

            bool twoByte = random.Next(2) == 0;
            var elements = new List<(byte Id, byte[] Value)>();
            int count = random.Next(0, 6);
            for (int i = 0; i < count; i++)
            {
                byte id = (byte)random.Next(1, twoByte ? 21 : 15);
                var value = new byte[twoByte ? random.Next(0, 24) : random.Next(1, 17)];
                random.NextBytes(value);
                elements.Add((id, value));
            }

            byte[] payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            int padding = random.Next(0, 3) == 0 ? random.Next(1, 8) : 0;
            int csrcs = random.Next(0, 3);
            byte[] source = RtpTestPackets.Build(csrcs, twoByte, elements, payload, padding);

            int written = RtpPacketRewriter.CopyWithExtensionMap(source, destination, map);
            Assert.True(written > 0);
            Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(destination.AsSpan(0, written), out RtpPacket output));
            Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(source, out RtpPacket input));

            Assert.Equal(input.SequenceNumber, output.SequenceNumber);
            Assert.Equal(input.Ssrc, output.Ssrc);
            Assert.Equal(input.CsrcCount, output.CsrcCount);
            Assert.Equal(input.Payload.ToArray(), output.Payload.ToArray());
            Assert.Equal(input.PaddingBytes.ToArray(), output.PaddingBytes.ToArray());

            var expected = new List<(byte, string)>();
            foreach ((byte id, byte[] value) in elements)
            {
                if (targets[id] != 0)
                {
                    expected.Add((targets[id], Convert.ToHexString(value)));
                }
            }

            var actual = new List<(byte, string)>();
            foreach (RtpHeaderExtension e in output.Extensions)
            {
                actual.Add((e.Id, Convert.ToHexString(e.Value)));
            }

            Assert.Equal(expected, actual);
            Assert.Equal(expected.Count > 0, output.HasExtension);
        }
    }

    [Fact]
    public void Rewrite_does_not_allocate()
    {
        byte[] source = Hex.Parse(Header + "BE DE 00 02 10 AA 22 01 02 03 00 00" + Payload);
        var destination = new byte[128];
        ExtensionIdMap map = Map((1, 20), (2, 3));
        int sink = 0;
        Assert.Equal(0, Allocations.Measure(() => sink += RtpPacketRewriter.CopyWithExtensionMap(source, destination, map)));
        Assert.True(sink > 0);
    }
}
