using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>Known-answer tests typed from RFC 3711 Appendix B and RFC 7714 §16–§17.</summary>
public sealed class SrtpRfcVectorTests
{
    // RFC 7714 §16.1 / §17: session key and salt are given directly (no KDF), same for RTP and RTCP.
    private const string Rfc7714Key = "000102030405060708090a0b0c0d0e0f";
    private const string Rfc7714Salt = "517569642070726f2071756f";

    // RFC 7714 §16.1: RTP header 8040f17b 8041f8d3 5501a0b2 (seq 0xf17b, SSRC 0x5501a0b2, ROC 0),
    // payload "Gallia est omnis divisa in partes tres".
    private const string Rfc7714RtpPlain =
        "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573";

    // RFC 7714 §16.1.1 "Encrypted and tagged packet": header || ciphertext || 16-byte tag.
    private const string Rfc7714RtpProtected =
        "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833" +
        "899d7f27 beb16a91 52cf765e e4390cce";

    // RFC 7714 §17: sender report from SSRC "Mars" (0x4d617273); SRTCP index 0x5d4.
    private const string Rfc7714RtcpPlain =
        "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";

    // RFC 7714 §17.1: header || ciphertext || tag || E=1|index.
    private const string Rfc7714RtcpProtected =
        "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b" +
        "c84aa458 96cf4d2f c5abf872 45d9eade 800005d4";

    // RFC 7714 §17.3: authentication only (E = 0): the packet in clear, tag, then 0|index.
    private const string Rfc7714RtcpTagOnly =
        "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef" +
        "841dd968 3dd78ec9 2ae58790 125f62b3 000005d4";

    private static SrtpContext Rfc7714Context()
    {
        byte[] key = Hex(Rfc7714Key);
        byte[] salt = Hex(Rfc7714Salt);
        return SrtpContext.CreateFromSessionKeys(SrtpProfile.AeadAes128Gcm, key, salt, [], key, salt, []);
    }

    [Fact]
    public void Rfc3711_B2_AesCounterModeKeystream()
    {
        // Session key 2B7E1516..., salt F0F1...FCFD, SSRC 0 and index 0: IV = salt * 2^16, and the
        // keystream of a zero payload is the keystream itself. The segment ends at block 0xFF01.
        using var cipher = new AesCounterMode(Hex("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[0xFF02 * 16];
        cipher.Apply(Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        Assert.Equal(Hex("E03EAD0935C95E80E166B16DD92B4EB4"), keystream[..16]);
        Assert.Equal(Hex("D23513162B02D0F72A43A2FE4A5F97AB"), keystream[16..32]);
        Assert.Equal(Hex("41E95B3BB0A2E8DD477901E4FCA894C0"), keystream[32..48]);
        Assert.Equal(Hex("EC8CDF7398607CB0F2D21675EA9EA1E4"), keystream[(0xFEFF * 16)..(0xFF00 * 16)]);
        Assert.Equal(Hex("362B7C3C6773516318A077D7FC5073AE"), keystream[(0xFF00 * 16)..(0xFF01 * 16)]);
        Assert.Equal(Hex("6A2CC3787889374FBEB4C81B17BA6C44"), keystream[(0xFF01 * 16)..]);
    }

    [Theory]
    // RFC 3711 B.3: label 0x00, cipher key (128 bits).
    [InlineData(0x00, "C61E7A93744F39EE10734AFE3FF7A087")]
    // RFC 3711 B.3: label 0x02, cipher salt (112 bits).
    [InlineData(0x02, "30CBBC08863D8C85D49DB34A9AE1")]
    // RFC 3711 B.3: label 0x01, auth key; the RFC lists 94 bytes, SHA1-80 uses the first 20.
    [InlineData(0x01, "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE" +
                      "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25" +
                      "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2")]
    public void Rfc3711_B3_KeyDerivation(byte label, string expected)
    {
        byte[] want = Hex(expected);
        var output = new byte[want.Length];
        SrtpKeyDerivation.Derive(Hex(CmMasterKey), Hex(CmMasterSalt), label, output);
        Assert.Equal(want, output);
    }

    [Fact]
    public void Rfc7714_16_1_1_RtpEncryption()
    {
        using SrtpContext sender = Rfc7714Context();
        Assert.Equal(Hex(Rfc7714RtpProtected), ProtectRtp(sender, Hex(Rfc7714RtpPlain)));
    }

    [Fact]
    public void Rfc7714_16_1_2_RtpVerificationAndDecryption()
    {
        using SrtpContext receiver = Rfc7714Context();
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, Hex(Rfc7714RtpProtected), out byte[] plain));
        Assert.Equal(Hex(Rfc7714RtpPlain), plain);
    }

    [Fact]
    public void Rfc7714_17_1_SrtcpEncryption()
    {
        // The context numbers SRTCP from 0, the vector uses index 0x5d4: seal at the transform.
        byte[] key = Hex(Rfc7714Key);
        using var transform = new AesGcmTransform(key, Hex(Rfc7714Salt));
        byte[] plain = Hex(Rfc7714RtcpPlain);
        var buffer = new byte[plain.Length + transform.RtcpOverhead];
        plain.CopyTo(buffer, 0);

        int length = transform.SealRtcp(buffer, plain.Length, 0x4d617273, 0x5d4);

        Assert.Equal(Hex(Rfc7714RtcpProtected), buffer[..length]);
    }

    /// <summary>
    /// The RFC 7714 vectors at the transform, once on our AES-GCM and once on the platform's: the
    /// two ciphers must seal to the same bytes and open each other's packets.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rfc7714_VectorsOnEitherCipher(bool platformCipher)
    {
        byte[] key = Hex(Rfc7714Key);
        using var transform = new AesGcmTransform(key, Hex(Rfc7714Salt), platformCipher);

        // §16.1.1: seq 0xf17b with ROC 0 is index 0xf17b; the header is the 12 fixed bytes.
        byte[] rtp = Hex(Rfc7714RtpPlain);
        var sealedRtp = new byte[rtp.Length + transform.RtpOverhead];
        rtp.CopyTo(sealedRtp, 0);
        transform.SealRtp(sealedRtp, 12, rtp.Length, 0x5501a0b2, 0xf17b);
        Assert.Equal(Hex(Rfc7714RtpProtected), sealedRtp);
        Assert.True(transform.OpenRtp(sealedRtp, 12, rtp.Length, 0x5501a0b2, 0xf17b));
        Assert.Equal(rtp, sealedRtp[..rtp.Length]);

        byte[] rtcp = Hex(Rfc7714RtcpPlain);
        var sealedRtcp = new byte[rtcp.Length + transform.RtcpOverhead];
        rtcp.CopyTo(sealedRtcp, 0);
        Assert.Equal(sealedRtcp.Length, transform.SealRtcp(sealedRtcp, rtcp.Length, 0x4d617273, 0x5d4));
        Assert.Equal(Hex(Rfc7714RtcpProtected), sealedRtcp);
        Assert.True(transform.OpenRtcp(sealedRtcp, 0x4d617273, 0x5d4, encrypted: true, out int plainLength));
        Assert.Equal(rtcp, sealedRtcp[..plainLength]);

        byte[] tagOnly = Hex(Rfc7714RtcpTagOnly);
        Assert.True(transform.OpenRtcp(tagOnly, 0x4d617273, 0x5d4, encrypted: false, out plainLength));
        Assert.Equal(rtcp, tagOnly[..plainLength]);

        byte[] forged = Hex(Rfc7714RtpProtected);
        forged[20] ^= 0x01;
        Assert.False(transform.OpenRtp(forged, 12, rtp.Length, 0x5501a0b2, 0xf17b));
    }

    [Fact]
    public void Rfc7714_17_2_SrtcpVerificationAndDecryption()
    {
        using SrtpContext receiver = Rfc7714Context();
        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, Hex(Rfc7714RtcpProtected), out byte[] plain));
        Assert.Equal(Hex(Rfc7714RtcpPlain), plain);
    }

    [Fact]
    public void Rfc7714_17_3_SrtcpAuthenticationOnly()
    {
        using SrtpContext receiver = Rfc7714Context();
        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, Hex(Rfc7714RtcpTagOnly), out byte[] plain));
        Assert.Equal(Hex(Rfc7714RtcpPlain), plain);
    }

    [Fact]
    public void Rfc7714_17_3_SrtcpAuthenticationOnly_RejectsAChangedClearByte()
    {
        byte[] packet = Hex(Rfc7714RtcpTagOnly);
        packet[20] ^= 0x01;
        using SrtpContext receiver = Rfc7714Context();
        Assert.Equal(SrtpResult.AuthenticationFailed, UnprotectRtcp(receiver, packet, out _));
    }
}
