using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Rtp;

public class RtpPacketTests
{
    // V=2, P=0, X=0, CC=0 | M=1 PT=111 | seq 0x1234 | ts 0xDEADBEEF | ssrc 0x01020304 | payload AA BB
    private const string Simple = "80 EF 12 34 DE AD BE EF 01 02 03 04 AA BB";

    [Fact]
    public void Parses_fixed_header_fields()
    {
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(Hex.Parse(Simple), out RtpPacket p));
        Assert.Equal(2, p.Version);
        Assert.False(p.Padding);
        Assert.False(p.HasExtension);
        Assert.Equal(0, p.CsrcCount);
        Assert.True(p.Marker);
        Assert.Equal(111, p.PayloadType);
        Assert.Equal(0x1234, p.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, p.Timestamp);
        Assert.Equal(0x01020304u, p.Ssrc);
        Assert.Equal(12, p.HeaderLength);
        Assert.Equal(0, p.PaddingLength);
        Assert.Equal((ushort)0, p.ExtensionProfile);
        Assert.True(p.ExtensionData.IsEmpty);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, p.Payload.ToArray());
    }

    [Fact]
    public void Parses_csrcs_extension_and_padding()
    {
        byte[] data = Hex.Parse(
            "B2 60 00 01 00 00 00 10 11 11 11 11" // V=2 P=1 X=1 CC=2 | M=0 PT=96 | seq 1 | ts 16 | ssrc
            + " 22 22 22 22 33 33 33 33"          // CSRC 1, CSRC 2
            + " BE DE 00 01"                      // one-byte extensions, 1 word
            + " 11 AB CD 00"                      // id 1 (L=1 → 2 bytes): AB CD, then a padding byte
            + " 01 02 03"                         // payload
            + " 00 00 03");                       // 3 bytes of padding, the last one counting them
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(data, out RtpPacket p));
        Assert.True(p.Padding);
        Assert.True(p.HasExtension);
        Assert.Equal(2, p.CsrcCount);
        Assert.Equal(0x22222222u, p.Csrc(0));
        Assert.Equal(0x33333333u, p.Csrc(1));
        Assert.Equal(0xBEDE, p.ExtensionProfile);
        Assert.Equal(new byte[] { 0x11, 0xAB, 0xCD, 0x00 }, p.ExtensionData.ToArray());
        Assert.Equal(28, p.HeaderLength);
        Assert.Equal(3, p.PaddingLength);
        Assert.Equal(new byte[] { 1, 2, 3 }, p.Payload.ToArray());
        Assert.Equal(new byte[] { 0, 0, 3 }, p.PaddingBytes.ToArray());
        Assert.True(p.TryGetExtension(1, out ReadOnlySpan<byte> value));
        Assert.Equal(new byte[] { 0xAB, 0xCD }, value.ToArray());
    }

    [Theory]
    // Empty datagram.
    [InlineData("", RtpParseResult.TooShort)]
    // 11 bytes: one short of the fixed header.
    [InlineData("80 60 00 01 00 00 00 01 00 00 00", RtpParseResult.TooShort)]
    // Exactly the fixed header, empty payload: valid.
    [InlineData("80 60 00 01 00 00 00 01 00 00 00 01", RtpParseResult.Ok)]
    // Version 1.
    [InlineData("40 60 00 01 00 00 00 01 00 00 00 01", RtpParseResult.BadVersion)]
    // Version 3.
    [InlineData("C0 60 00 01 00 00 00 01 00 00 00 01", RtpParseResult.BadVersion)]
    // CC=1 but no CSRC bytes.
    [InlineData("81 60 00 01 00 00 00 01 00 00 00 01", RtpParseResult.CsrcOverrun)]
    // CC=1 with three of the four CSRC bytes.
    [InlineData("81 60 00 01 00 00 00 01 00 00 00 01 AA BB CC", RtpParseResult.CsrcOverrun)]
    // CC=1 complete.
    [InlineData("81 60 00 01 00 00 00 01 00 00 00 01 AA BB CC DD", RtpParseResult.Ok)]
    // X=1 but the 4-byte extension header is cut short.
    [InlineData("90 60 00 01 00 00 00 01 00 00 00 01 BE DE 00", RtpParseResult.ExtensionOverrun)]
    // X=1, length 1 word but no extension body.
    [InlineData("90 60 00 01 00 00 00 01 00 00 00 01 BE DE 00 01", RtpParseResult.ExtensionOverrun)]
    // X=1, length 0 words: an empty extension is allowed.
    [InlineData("90 60 00 01 00 00 00 01 00 00 00 01 BE DE 00 00", RtpParseResult.Ok)]
    // P=1 with a padding count of 0.
    [InlineData("A0 60 00 01 00 00 00 01 00 00 00 01 AA 00", RtpParseResult.BadPadding)]
    // P=1 with a count larger than the bytes after the header.
    [InlineData("A0 60 00 01 00 00 00 01 00 00 00 01 AA 03", RtpParseResult.BadPadding)]
    // P=1 with no bytes after the header at all (the count byte would be in the header).
    [InlineData("A0 60 00 01 00 00 00 01 00 00 00 01", RtpParseResult.BadPadding)]
    // P=1 with the whole body being padding.
    [InlineData("A0 60 00 01 00 00 00 01 00 00 00 01 00 02", RtpParseResult.Ok)]
    public void TryParse_reports_reason(string hex, RtpParseResult expected)
        => Assert.Equal(expected, RtpPacket.TryParse(Hex.Parse(hex), out _));

    [Fact]
    public void Padding_only_packet_has_empty_payload()
    {
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(Hex.Parse("A0 60 00 01 00 00 00 01 00 00 00 01 00 00 00 04"), out RtpPacket p));
        Assert.True(p.Payload.IsEmpty);
        Assert.Equal(4, p.PaddingLength);
    }

    [Theory]
    // One-byte form: id 1 len 1 (0x10 = id 1, L=0 → 1 byte), id 2 len 3, padding.
    [InlineData("BE DE 00 02 10 AA 22 01 02 03 00 00", 2, "01 02 03")]
    [InlineData("BE DE 00 02 10 AA 22 01 02 03 00 00", 1, "AA")]
    // One-byte form: padding bytes before the element are skipped.
    [InlineData("BE DE 00 01 00 00 10 AA", 1, "AA")]
    // One-byte form: 16-byte element (L=15).
    [InlineData("BE DE 00 05 3F 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00 00", 3, "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F")]
    // Two-byte form (0x1000): id 1 len 0, id 20 len 2.
    [InlineData("10 00 00 02 01 00 14 02 AB CD 00 00", 20, "AB CD")]
    [InlineData("10 00 00 02 01 00 14 02 AB CD 00 00", 1, "")]
    // Two-byte form with appbits set (0x100F) and a padding byte first.
    [InlineData("10 0F 00 01 00 05 01 77", 5, "77")]
    public void Finds_extension(string extensionBlock, byte id, string expected)
    {
        byte[] packet = [.. Hex.Parse("90 60 00 01 00 00 00 01 00 00 00 01"), .. Hex.Parse(extensionBlock)];
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket p));
        Assert.True(p.TryGetExtension(id, out ReadOnlySpan<byte> value));
        Assert.Equal(Hex.Parse(expected), value.ToArray());
    }

    [Theory]
    // One-byte form: id 15 stops parsing, so id 2 behind it is not seen.
    [InlineData("BE DE 00 01 F0 22 AA BB", 2)]
    // One-byte form: element (id 1, 4 bytes) runs past the block.
    [InlineData("BE DE 00 01 13 AA BB CC", 1)]
    // Id 0 is padding, never an element.
    [InlineData("BE DE 00 01 10 AA 00 00", 0)]
    // One-byte form: id 0 with a nonzero length is invalid (§4.2) and ends the walk before id 1.
    [InlineData("BE DE 00 01 01 AA 10 BB", 1)]
    // Absent id.
    [InlineData("BE DE 00 01 10 AA 00 00", 3)]
    // Unknown profile: nothing is interpreted.
    [InlineData("AB CD 00 01 10 AA 00 00", 1)]
    // Two-byte form: element header cut by the block end.
    [InlineData("10 00 00 01 00 00 00 05", 5)]
    // Two-byte form: element length past the block end.
    [InlineData("10 00 00 01 05 03 AA BB", 5)]
    public void Does_not_find_extension(string extensionBlock, byte id)
    {
        byte[] packet = [.. Hex.Parse("90 60 00 01 00 00 00 01 00 00 00 01"), .. Hex.Parse(extensionBlock)];
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket p));
        Assert.False(p.TryGetExtension(id, out _));
    }

    [Fact]
    public void Enumerates_all_extensions_in_order()
    {
        byte[] packet = Hex.Parse("90 60 00 01 00 00 00 01 00 00 00 01 BE DE 00 02 10 AA 00 22 01 02 03 00");
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out RtpPacket p));
        var ids = new List<byte>();
        foreach (RtpHeaderExtension e in p.Extensions)
        {
            ids.Add(e.Id);
        }

        Assert.Equal(new byte[] { 1, 2 }, ids);
    }

    [Fact]
    public void Truncation_at_every_length_never_throws()
    {
        byte[] full = Hex.Parse("B2 E0 00 01 00 00 00 10 11 11 11 11 22 22 22 22 33 33 33 33 BE DE 00 01 11 AB CD 00 01 02 03 00 00 03");
        for (int length = 0; length < full.Length; length++)
        {
            RtpParseResult result = RtpPacket.TryParse(full.AsSpan(0, length), out RtpPacket p);
            if (result == RtpParseResult.Ok)
            {
                // Any accepted prefix must be self-consistent.
                Assert.True(p.HeaderLength + p.PaddingLength <= length);
                _ = p.TryGetExtension(1, out _);
            }
        }

        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(full, out _));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        var buffer = new byte[64];
        int ok = 0;
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer);
            buffer[0] = (byte)((buffer[0] & 0x3F) | (i % 4 == 0 ? 0x00 : 0x80)); // mostly version 2
            if (RtpPacket.TryParse(buffer.AsSpan(0, length), out RtpPacket p) == RtpParseResult.Ok)
            {
                ok++;
                Assert.Equal(length, p.HeaderLength + p.Payload.Length + p.PaddingLength);
                foreach (RtpHeaderExtension e in p.Extensions)
                {
                    Assert.NotEqual(0, e.Id);
                }
            }
        }

        Assert.True(ok > 0);
    }

    [Fact]
    public void Setters_write_in_place_and_keep_neighbours()
    {
        byte[] data = Hex.Parse(Simple);
        RtpHeader.SetSequenceNumber(data, 0xFFFE);
        RtpHeader.SetTimestamp(data, 0x01020304);
        RtpHeader.SetSsrc(data, 0xCAFEBABE);
        RtpHeader.SetPayloadType(data, 96);
        Assert.Equal("80 E0 FF FE 01 02 03 04 CA FE BA BE AA BB", Format(data));

        RtpHeader.SetMarker(data, false);
        Assert.Equal(0x60, data[1]);
        RtpHeader.SetPayloadType(data, 127);
        Assert.Equal(0x7F, data[1]);
        RtpHeader.SetMarker(data, true);
        Assert.Equal(0xFF, data[1]);
        RtpHeader.SetPayloadType(data, 0);
        Assert.Equal(0x80, data[1]);
    }

    [Fact]
    public void Parse_does_not_allocate()
    {
        byte[] data = Hex.Parse("B2 60 00 01 00 00 00 10 11 11 11 11 22 22 22 22 33 33 33 33 BE DE 00 01 11 AB CD 00 01 02 03 00 00 03");
        int sink = 0;
        Assert.Equal(0, Allocations.Measure(() => sink += Work(data)));
        Assert.NotEqual(0, sink);

        static int Work(byte[] data)
        {
            _ = RtpPacket.TryParse(data, out RtpPacket p);
            _ = p.TryGetExtension(1, out ReadOnlySpan<byte> v);
            return p.Payload.Length + v.Length + p.SequenceNumber;
        }
    }

    private static string Format(byte[] data) => Convert.ToHexString(data).Chunk(2).Aggregate("", (s, c) => s.Length == 0 ? new string(c) : s + " " + new string(c));
}
