using System.Buffers.Binary;
using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>Protect → unprotect round trips and tamper detection (RFC 3711 §3.3, RFC 7714 §8).</summary>
public sealed class SrtpRoundTripTests
{
    public static TheoryData<SrtpProfile, int, int, int> Shapes()
    {
        var data = new TheoryData<SrtpProfile, int, int, int>();
        foreach (SrtpProfile profile in new[] { SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm })
        {
            foreach (int payload in new[] { 0, 1, 100, 1200 })
            {
                // No CSRC/no extension, 2 CSRCs, empty extension block, 2 CSRCs + 3-word extension.
                data.Add(profile, payload, 0, -1);
                data.Add(profile, payload, 2, -1);
                data.Add(profile, payload, 0, 0);
                data.Add(profile, payload, 2, 3);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Rtp_RoundTrips_HeaderInClear_PayloadEncrypted(SrtpProfile profile, int payloadLength, int csrcs, int extensionWords)
    {
        var random = new Random(payloadLength * 31 + csrcs * 7 + extensionWords);
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        int header = 12 + (4 * csrcs) + (extensionWords >= 0 ? 4 + (4 * extensionWords) : 0);

        for (ushort sequence = 1000; sequence < 1005; sequence++)
        {
            byte[] plain = PlainRtp(sequence, 0x11223344, payloadLength, csrcs, extensionWords, random);
            byte[] wire = ProtectRtp(sender, plain);

            Assert.Equal(plain.Length + sender.RtpOverhead, wire.Length);
            Assert.Equal(plain[..header], wire[..header]);
            if (payloadLength >= 8)
            {
                Assert.NotEqual(plain[header..], wire[header..plain.Length]);
            }

            Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, wire, out byte[] back));
            Assert.Equal(plain, back);
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtcp_RoundTrips_WithEFlagAndIncrementingIndex(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);

        for (int i = 0; i < 5; i++)
        {
            byte[] plain = PlainRtcp(0xAABBCCDD, seed: i);
            byte[] wire = ProtectRtcp(sender, plain);

            Assert.Equal(plain.Length + sender.RtcpOverhead, wire.Length);
            Assert.Equal(plain[..8], wire[..8]);
            Assert.NotEqual(plain[8..], wire[8..plain.Length]);
            // E||index sits before the tag for AES-CM (RFC 3711 §3.4), after it for GCM (RFC 7714 §9).
            int at = profile == SrtpProfile.AeadAes128Gcm ? wire.Length - 4 : wire.Length - 14;
            uint word = BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(at));
            Assert.Equal(0x8000_0000u | (uint)i, word);

            Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, wire, out byte[] back));
            Assert.Equal(plain, back);
        }
    }

    [Fact]
    public void RandomisedPacketsAcrossBothProfiles_RoundTrip()
    {
        var random = new Random(20240611);
        using SrtpContext cmSender = Create(SrtpProfile.Aes128CmHmacSha1_80);
        using SrtpContext cmReceiver = Create(SrtpProfile.Aes128CmHmacSha1_80);
        using SrtpContext gcmSender = Create(SrtpProfile.AeadAes128Gcm);
        using SrtpContext gcmReceiver = Create(SrtpProfile.AeadAes128Gcm);
        var next = new Dictionary<uint, ushort>();

        for (int i = 0; i < 500; i++)
        {
            uint ssrc = (uint)random.Next(1, 5);
            ushort sequence = next.TryGetValue(ssrc, out ushort s) ? s : (ushort)random.Next(0, 65536);
            next[ssrc] = (ushort)(sequence + random.Next(1, 3));
            byte[] plain = PlainRtp(sequence, ssrc, random.Next(0, 1300), random.Next(0, 16), random.Next(-1, 5), random);
            bool gcm = random.Next(2) == 0;

            byte[] wire = ProtectRtp(gcm ? gcmSender : cmSender, plain);
            Assert.Equal(SrtpResult.Ok, UnprotectRtp(gcm ? gcmReceiver : cmReceiver, wire, out byte[] back));
            Assert.Equal(plain, back);
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_AnySingleBitFlip_IsRejected_AndMovesNoState(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] wire = ProtectRtp(sender, PlainRtp(4242, 0x01020304, 40, csrcCount: 1, extensionWords: 1));

        for (int bit = 0; bit < wire.Length * 8; bit++)
        {
            byte[] tampered = (byte[])wire.Clone();
            tampered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            SrtpResult result = UnprotectRtp(receiver, tampered, out _);

            // Header-shape fields: byte 0 (V → Malformed; X, CC) and the extension length at
            // bytes 18..19 may make the header overrun the packet (→ TooShort) instead.
            if (bit / 8 is 0 or 18 or 19)
            {
                Assert.Contains(result, new[] { SrtpResult.Malformed, SrtpResult.TooShort, SrtpResult.AuthenticationFailed });
            }
            else
            {
                Assert.Equal(SrtpResult.AuthenticationFailed, result);
            }
        }

        // No rejected packet created or moved state: the genuine packet is still fresh.
        Assert.Equal(0, receiver.StreamCount);
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, wire, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtcp_AnySingleBitFlip_IsRejected_AndMovesNoState(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] wire = ProtectRtcp(sender, PlainRtcp(0x0A0B0C0D));

        for (int bit = 0; bit < wire.Length * 8; bit++)
        {
            byte[] tampered = (byte[])wire.Clone();
            tampered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            SrtpResult expected = bit < 2 ? SrtpResult.Malformed : SrtpResult.AuthenticationFailed;
            Assert.Equal(expected, UnprotectRtcp(receiver, tampered, out _));
        }

        Assert.Equal(0, receiver.StreamCount);
        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, wire, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void DifferentMasterKey_FailsAuthentication(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        byte[] otherKey = new byte[16];
        otherKey[0] = 1;
        using SrtpContext stranger = SrtpContext.Create(profile, otherKey, new byte[profile.MasterSaltLength()]);

        Assert.Equal(SrtpResult.AuthenticationFailed, UnprotectRtp(stranger, ProtectRtp(sender, PlainRtp(1, 5, 50)), out _));
        Assert.Equal(SrtpResult.AuthenticationFailed, UnprotectRtcp(stranger, ProtectRtcp(sender, PlainRtcp(5)), out _));
    }

    [Theory]
    // CM: 10-byte tag; SRTCP adds 4-byte index + 10-byte tag.
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 10, 14)]
    // GCM: 16-byte tag; SRTCP adds 16-byte tag + 4-byte index.
    [InlineData(SrtpProfile.AeadAes128Gcm, 16, 20)]
    public void Overheads_MatchProfile_AndFitTheMaxima(SrtpProfile profile, int rtp, int rtcp)
    {
        using SrtpContext context = Create(profile);
        Assert.Equal(profile, context.Profile);
        Assert.Equal(rtp, context.RtpOverhead);
        Assert.Equal(rtcp, context.RtcpOverhead);
        Assert.True(rtp <= SrtpContext.MaxRtpOverhead);
        Assert.True(rtcp <= SrtpContext.MaxRtcpOverhead);
    }
}
