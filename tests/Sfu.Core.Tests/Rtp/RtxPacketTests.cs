using Sfu.Core.Rtp;

namespace Sfu.Core.Tests.Rtp;

/// <summary>Restoring the original packet from an RFC 4588 retransmission.</summary>
public class RtxPacketTests
{
    [Theory]
    // CSRCs, header extensions, padding: all shapes keep their header and lose the padding.
    [InlineData(0, false, 0)]
    [InlineData(2, false, 0)]
    [InlineData(0, true, 0)]
    [InlineData(1, false, 7)]
    public void The_original_packet_gets_the_media_ssrc_payload_type_and_osn_and_keeps_the_rest(int csrcs, bool extension, int padding)
    {
        List<(byte Id, byte[] Value)> elements = extension ? [(3, [1, 2, 3]), (5, [9])] : [];
        byte[] payload = [0x12, 0x34, 0x90, 0xE0, 0xAB, 0xCD]; // OSN 0x1234, then the original payload
        byte[] rtx = RtpTestPackets.Build(csrcs, twoByte: false, elements, payload, padding);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(rtx, out RtpPacket view));
        byte[] destination = new byte[1500];

        int length = RtxPacket.TryRestore(view, mediaSsrc: 0x01020304, mediaPayloadType: 96, destination);

        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(destination.AsSpan(0, length), out RtpPacket original));
        Assert.Equal(0x01020304u, original.Ssrc);
        Assert.Equal(96, original.PayloadType);
        Assert.Equal((ushort)0x1234, original.SequenceNumber);
        Assert.Equal(view.Timestamp, original.Timestamp);
        Assert.Equal(view.Marker, original.Marker);
        Assert.Equal(csrcs, original.CsrcCount);
        Assert.Equal(view.ExtensionData.ToArray(), original.ExtensionData.ToArray());
        Assert.False(original.Padding);
        Assert.Equal(new byte[] { 0x90, 0xE0, 0xAB, 0xCD }, original.Payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[0], 0)]          // padding-only probe
    [InlineData(new byte[] { 0x12, 0x34 }, 0)] // an OSN and nothing to restore
    [InlineData(new byte[] { 0x12 }, -1)]  // not even an OSN
    public void Probes_restore_nothing_and_a_payload_without_an_osn_is_malformed(byte[] payload, int expected)
    {
        byte[] rtx = RtpTestPackets.Build(0, twoByte: false, [], payload, padding: payload.Length == 0 ? 200 : 0);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(rtx, out RtpPacket view));

        Assert.Equal(expected, RtxPacket.TryRestore(view, 1, 96, new byte[1500]));
    }

    [Fact]
    public void A_destination_too_small_is_refused()
    {
        byte[] rtx = RtpTestPackets.Build(0, twoByte: false, [], [0, 1, 2, 3, 4, 5, 6, 7], 0);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(rtx, out RtpPacket view));

        Assert.Equal(-1, RtxPacket.TryRestore(view, 1, 96, new byte[12 + 5]));
        Assert.Equal(18, RtxPacket.TryRestore(view, 1, 96, new byte[12 + 6]));
    }

    [Theory]
    [InlineData(0, false, 0)]
    [InlineData(2, true, 0)]
    [InlineData(1, true, 7)]
    public void A_wrapped_packet_carries_the_osn_on_its_own_ssrc_numbering_and_payload_type_and_restores_to_the_original_without_padding(int csrcs, bool extension, int padding)
    {
        List<(byte Id, byte[] Value)> elements = extension ? [(3, [1, 2, 3])] : [];
        byte[] original = RtpTestPackets.Build(csrcs, twoByte: false, elements, [0x90, 0xE0, 0xAB, 0xCD], padding);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(original, out RtpPacket source));
        byte[] destination = new byte[1500];

        int length = RtxPacket.TryWrap(source, rtxSsrc: 0x0A0B0C0D, rtxPayloadType: 97, rtxSequenceNumber: 0xFFFE, destination);

        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(destination.AsSpan(0, length), out RtpPacket rtx));
        Assert.Equal((0x0A0B0C0Du, (byte)97, (ushort)0xFFFE), (rtx.Ssrc, rtx.PayloadType, rtx.SequenceNumber));
        Assert.Equal((source.Timestamp, source.Marker, csrcs), (rtx.Timestamp, rtx.Marker, rtx.CsrcCount));
        Assert.Equal(source.ExtensionData.ToArray(), rtx.ExtensionData.ToArray());
        Assert.False(rtx.Padding);
        Assert.Equal([(byte)(source.SequenceNumber >> 8), (byte)source.SequenceNumber, 0x90, 0xE0, 0xAB, 0xCD], rtx.Payload.ToArray());

        byte[] restored = new byte[1500];
        int restoredLength = RtxPacket.TryRestore(rtx, source.Ssrc, source.PayloadType, restored);
        byte[] unpadded = RtpTestPackets.Build(csrcs, twoByte: false, elements, [0x90, 0xE0, 0xAB, 0xCD], 0);
        Assert.Equal(unpadded, restored[..restoredLength]);
    }

    [Fact]
    public void Wrapping_into_a_destination_too_small_is_refused()
    {
        byte[] original = RtpTestPackets.Build(0, twoByte: false, [], [1, 2, 3, 4], 0);
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(original, out RtpPacket source));

        Assert.Equal(-1, RtxPacket.TryWrap(source, 1, 97, 1, new byte[12 + 2 + 3]));
        Assert.Equal(18, RtxPacket.TryWrap(source, 1, 97, 1, new byte[12 + 2 + 4]));
    }
}
