using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>Bad bytes are results, never exceptions.</summary>
public sealed class SrtpMalformedInputTests
{
    public static TheoryData<SrtpProfile> Profiles() => [SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm];

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtp_TruncatedAtEveryLength_GivesAResult(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] wire = ProtectRtp(sender, PlainRtp(1, 9, 40, csrcCount: 2, extensionWords: 2));

        for (int length = 0; length < wire.Length; length++)
        {
            SrtpResult result = UnprotectRtp(receiver, wire[..length], out _);
            Assert.NotEqual(SrtpResult.Ok, result);
            if (length < 12 + receiver.RtpOverhead)
            {
                Assert.Equal(SrtpResult.TooShort, result);
            }
        }

        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, wire, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_TruncatedAtEveryLength_GivesAResult(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] wire = ProtectRtcp(sender, PlainRtcp(9));

        for (int length = 0; length < wire.Length; length++)
        {
            SrtpResult result = UnprotectRtcp(receiver, wire[..length], out _);
            Assert.NotEqual(SrtpResult.Ok, result);
            if (length < 8 + receiver.RtcpOverhead)
            {
                Assert.Equal(SrtpResult.TooShort, result);
            }
        }

        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, wire, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_TruncatedPlainPackets_GiveAResult(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        // Header is 12 + 8 (CSRCs) + 12 (extension) = 32 bytes.
        byte[] plain = PlainRtp(1, 9, 10, csrcCount: 2, extensionWords: 2);
        var buffer = new byte[plain.Length + SrtpContext.MaxRtpOverhead];

        for (int length = 0; length <= plain.Length; length++)
        {
            plain.CopyTo(buffer, 0);
            SrtpResult result = sender.ProtectRtp(buffer, length, out int protectedLength);
            Assert.Equal(length < 32 ? SrtpResult.TooShort : SrtpResult.Ok, result);
            Assert.Equal(result == SrtpResult.Ok ? length + sender.RtpOverhead : 0, protectedLength);
        }

        var rtcpBuffer = new byte[64];
        for (int length = 0; length < 8; length++)
        {
            PlainRtcp(9).CopyTo(rtcpBuffer, 0);
            Assert.Equal(SrtpResult.TooShort, sender.ProtectRtcp(rtcpBuffer, length, out _));
        }
    }

    [Theory]
    // Version 0.
    [InlineData("00600001 00000000 00000001 0000000000000000000000000000000000000000")]
    // Version 1.
    [InlineData("40600001 00000000 00000001 0000000000000000000000000000000000000000")]
    // Version 3.
    [InlineData("c0600001 00000000 00000001 0000000000000000000000000000000000000000")]
    public void WrongVersion_IsMalformed(string hex)
    {
        using SrtpContext context = Create(SrtpProfile.Aes128CmHmacSha1_80);
        byte[] packet = Hex(hex);
        var buffer = new byte[packet.Length + SrtpContext.MaxRtcpOverhead];
        packet.CopyTo(buffer, 0);

        Assert.Equal(SrtpResult.Malformed, context.ProtectRtp(buffer, packet.Length, out _));
        Assert.Equal(SrtpResult.Malformed, context.ProtectRtcp(buffer, packet.Length, out _));
        Assert.Equal(SrtpResult.Malformed, UnprotectRtp(context, packet, out _));
        Assert.Equal(SrtpResult.Malformed, UnprotectRtcp(context, packet, out _));
    }

    [Theory]
    // X=1 with an extension length of 0xFFFF words, far past the packet end.
    [InlineData("90600001 00000000 00000001 bede ffff 00000000000000000000000000000000000000000000")]
    // CC=15 needs 60 bytes of CSRCs after the fixed header.
    [InlineData("8f600001 00000000 00000001 0000000000000000000000000000000000000000")]
    public void HeaderLongerThanPacket_IsTooShort(string hex)
    {
        using SrtpContext context = Create(SrtpProfile.AeadAes128Gcm);
        byte[] packet = Hex(hex);
        var buffer = new byte[packet.Length + SrtpContext.MaxRtpOverhead];
        packet.CopyTo(buffer, 0);

        Assert.Equal(SrtpResult.TooShort, context.ProtectRtp(buffer, packet.Length, out _));
        Assert.Equal(SrtpResult.TooShort, UnprotectRtp(context, packet, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void NoRoomForTheTrailer_IsBufferTooSmall(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        byte[] rtp = PlainRtp(1, 2, 20);
        byte[] rtcp = PlainRtcp(2);

        // One byte short of the tag / trailer.
        var rtpBuffer = new byte[rtp.Length + sender.RtpOverhead - 1];
        rtp.CopyTo(rtpBuffer, 0);
        Assert.Equal(SrtpResult.BufferTooSmall, sender.ProtectRtp(rtpBuffer, rtp.Length, out int rtpLength));
        Assert.Equal(0, rtpLength);
        Assert.Equal(rtp, rtpBuffer[..rtp.Length]);

        var rtcpBuffer = new byte[rtcp.Length + sender.RtcpOverhead - 1];
        rtcp.CopyTo(rtcpBuffer, 0);
        Assert.Equal(SrtpResult.BufferTooSmall, sender.ProtectRtcp(rtcpBuffer, rtcp.Length, out _));
        Assert.Equal(rtcp, rtcpBuffer[..rtcp.Length]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void RandomBytes_NeverThrow_NeverAuthenticate(SrtpProfile profile)
    {
        var random = new Random(7714);
        using SrtpContext context = Create(profile);
        var buffer = new byte[400];

        for (int i = 0; i < 3000; i++)
        {
            int length = random.Next(0, 300);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length > 0 && random.Next(2) == 0)
            {
                // Half the time pass the version check so the deeper paths run.
                buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
            }

            byte[] packet = buffer[..length];
            Assert.NotEqual(SrtpResult.Ok, UnprotectRtp(context, packet, out _));
            Assert.NotEqual(SrtpResult.Ok, UnprotectRtcp(context, packet, out _));
            _ = context.ProtectRtp(buffer, length, out _);
            _ = context.ProtectRtcp(buffer, length, out _);
        }
    }

    [Theory]
    // AES-CM: 15-byte key.
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 15, 14)]
    // AES-CM: GCM-sized 12-byte salt.
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 16, 12)]
    // GCM: CM-sized 14-byte salt.
    [InlineData(SrtpProfile.AeadAes128Gcm, 16, 14)]
    // Unsupported profile.
    [InlineData(SrtpProfile.None, 16, 14)]
    public void Create_RejectsWrongKeyMaterial(SrtpProfile profile, int keyLength, int saltLength)
    {
        Assert.Throws<ArgumentException>(() => SrtpContext.Create(profile, new byte[keyLength], new byte[saltLength]));
    }

    [Fact]
    public void Disposed_ContextThrows()
    {
        SrtpContext context = Create(SrtpProfile.AeadAes128Gcm);
        context.Dispose();
        context.Dispose();
        Assert.Throws<ObjectDisposedException>(() => context.UnprotectRtp(new byte[40], out _));
    }
}
