using System.Buffers.Binary;
using Sfu.Core.Srtp;

namespace Sfu.Core.Tests.Srtp;

/// <summary>Hex parsing, packet builders and context pairs shared by the SRTP tests.</summary>
internal static class SrtpTestSupport
{
    /// <summary>RFC 3711 Appendix B.3 master key and salt, reused for every AES-CM pair.</summary>
    public const string CmMasterKey = "E1F97A0D3E018BE0D64FA32C06DE4139";
    public const string CmMasterSalt = "0EC675AD498AFEEBB6960B3AABE6";

    /// <summary>RFC 7714 §16 key and salt ("Quid pro quo"), used as master key/salt for GCM pairs.</summary>
    public const string GcmKey = "000102030405060708090a0b0c0d0e0f";
    public const string GcmSalt = "517569642070726f2071756f";

    /// <summary>Parses hex digits, ignoring spaces and line breaks as the RFCs lay them out.</summary>
    public static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));

    public static SrtpContext Create(SrtpProfile profile) => profile == SrtpProfile.Aes128CmHmacSha1_80
        ? SrtpContext.Create(profile, Hex(CmMasterKey), Hex(CmMasterSalt))
        : SrtpContext.Create(profile, Hex(GcmKey), Hex(GcmSalt));

    /// <summary>
    /// An RTP packet: V=2, PT 96, the given sequence number and SSRC, <paramref name="csrcCount"/>
    /// CSRCs, an optional one-byte-header extension block of <paramref name="extensionWords"/>
    /// words (-1 for none), and a payload of random bytes.
    /// </summary>
    public static byte[] PlainRtp(ushort sequence, uint ssrc, int payloadLength, int csrcCount = 0, int extensionWords = -1, Random? random = null)
    {
        int header = 12 + (4 * csrcCount) + (extensionWords >= 0 ? 4 + (4 * extensionWords) : 0);
        var packet = new byte[header + payloadLength];
        random ??= new Random(sequence);
        random.NextBytes(packet);
        packet[0] = (byte)(0x80 | (extensionWords >= 0 ? 0x10 : 0) | csrcCount);
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        if (extensionWords >= 0)
        {
            int at = 12 + (4 * csrcCount);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), 0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at + 2), (ushort)extensionWords);
        }

        return packet;
    }

    /// <summary>An RTCP receiver report from <paramref name="ssrc"/> with one report block (32 bytes).</summary>
    public static byte[] PlainRtcp(uint ssrc, int seed = 1)
    {
        var packet = new byte[32];
        new Random(seed).NextBytes(packet);
        packet[0] = 0x81;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        return packet;
    }

    /// <summary>Protects an RTP packet into a fresh array of exactly the protected length.</summary>
    public static byte[] ProtectRtp(SrtpContext sender, byte[] plain)
    {
        var buffer = new byte[plain.Length + SrtpContext.MaxRtpOverhead];
        plain.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, plain.Length, out int length));
        return buffer[..length];
    }

    public static byte[] ProtectRtcp(SrtpContext sender, byte[] plain)
    {
        var buffer = new byte[plain.Length + SrtpContext.MaxRtcpOverhead];
        plain.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(buffer, plain.Length, out int length));
        return buffer[..length];
    }

    /// <summary>Unprotects a copy of <paramref name="packet"/>; the plain bytes come back on success.</summary>
    public static SrtpResult UnprotectRtp(SrtpContext receiver, byte[] packet, out byte[] plain)
    {
        byte[] copy = (byte[])packet.Clone();
        SrtpResult result = receiver.UnprotectRtp(copy, out int length);
        plain = copy[..length];
        return result;
    }

    public static SrtpResult UnprotectRtcp(SrtpContext receiver, byte[] packet, out byte[] plain)
    {
        byte[] copy = (byte[])packet.Clone();
        SrtpResult result = receiver.UnprotectRtcp(copy, out int length);
        plain = copy[..length];
        return result;
    }
}
