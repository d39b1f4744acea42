using Sfu.Core.Dtls;
using Sfu.Core.Srtp;

namespace Sfu.Core.Tests.Dtls;

public class DtlsSrtpProfilesTests
{
    private const SrtpProfile Cm = SrtpProfile.Aes128CmHmacSha1_80;
    private const SrtpProfile Gcm = SrtpProfile.AeadAes128Gcm;

    [Theory]
    [InlineData(Cm, 16, 14, 60)] // RFC 5764 §4.1.2: 128-bit key, 112-bit salt
    [InlineData(Gcm, 16, 12, 56)] // RFC 7714 §12: 128-bit key, 96-bit salt
    [InlineData(SrtpProfile.None, 0, 0, 0)] // unsupported: nothing to export
    public void Key_and_salt_lengths(SrtpProfile profile, int key, int salt, int material)
    {
        Assert.Equal(key, DtlsSrtpProfiles.MasterKeyLength(profile));
        Assert.Equal(salt, DtlsSrtpProfiles.MasterSaltLength(profile));
        Assert.Equal(material, DtlsSrtpProfiles.KeyingMaterialLength(profile));
    }

    [Theory]
    [InlineData(new[] { 0x0007, 0x0001 }, Gcm)] // Chrome's order: both offered, our preference wins
    [InlineData(new[] { 0x0001, 0x0007 }, Gcm)] // client prefers CM, server still picks GCM
    [InlineData(new[] { 0x0001 }, Cm)] // CM only
    [InlineData(new[] { 0x0002, 0x0001 }, Cm)] // SHA1_32 is not ours; fall back to CM
    [InlineData(new[] { 0x0002, 0x0008 }, SrtpProfile.None)] // SHA1_32 and AES_256_GCM: nothing in common
    [InlineData(new int[0], SrtpProfile.None)] // empty list
    public void Server_selects_by_own_preference(int[] offered, SrtpProfile expected) =>
        Assert.Equal(expected, DtlsSrtpProfiles.Select([Gcm, Cm], offered));

    [Fact]
    public void Server_preference_order_is_respected() =>
        Assert.Equal(Cm, DtlsSrtpProfiles.Select([Cm, Gcm], [0x0007, 0x0001]));

    [Fact]
    public void Wire_list_drops_unsupported_and_duplicates() =>
        Assert.Equal([0x0007, 0x0001], DtlsSrtpProfiles.ToWire([Gcm, SrtpProfile.None, Cm, Gcm]));

    [Fact]
    public void Keying_material_is_split_per_RFC5764_section_4_2_for_CM()
    {
        // 60 bytes 0x00..0x3B: client key | server key | client salt | server salt = 16 | 16 | 14 | 14.
        byte[] material = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        DtlsHandshakeResult result = DtlsHandshakeResult.Success(DtlsRole.Client, Cm, 0xC02B, material, TimeSpan.Zero);

        Assert.Equal(Enumerable.Range(0x00, 16).Select(i => (byte)i), result.ClientWriteKey.ToArray());
        Assert.Equal(Enumerable.Range(0x10, 16).Select(i => (byte)i), result.ServerWriteKey.ToArray());
        Assert.Equal(Enumerable.Range(0x20, 14).Select(i => (byte)i), result.ClientWriteSalt.ToArray());
        Assert.Equal(Enumerable.Range(0x2E, 14).Select(i => (byte)i), result.ServerWriteSalt.ToArray());

        // As client we send with the client half and receive with the server half.
        Assert.Equal(result.ClientWriteKey.ToArray(), result.LocalMasterKey.ToArray());
        Assert.Equal(result.ServerWriteSalt.ToArray(), result.RemoteMasterSalt.ToArray());
        Assert.Equal("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", result.CipherSuiteName);
    }

    [Fact]
    public void Keying_material_is_split_per_RFC5764_section_4_2_for_GCM()
    {
        // 56 bytes: 16 | 16 | 12 | 12.
        byte[] material = Enumerable.Range(0, 56).Select(i => (byte)i).ToArray();
        DtlsHandshakeResult result = DtlsHandshakeResult.Success(DtlsRole.Server, Gcm, 0xC02B, material, TimeSpan.Zero);

        Assert.Equal(new byte[] { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B }, result.ClientWriteSalt.ToArray());
        Assert.Equal(new byte[] { 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37 }, result.ServerWriteSalt.ToArray());

        // As server we send with the server half.
        Assert.Equal(result.ServerWriteKey.ToArray(), result.LocalMasterKey.ToArray());
        Assert.Equal(result.ClientWriteKey.ToArray(), result.RemoteMasterKey.ToArray());
    }

    [Fact]
    public void Keying_material_of_wrong_length_is_rejected() =>
        Assert.Throws<ArgumentException>(() => DtlsHandshakeResult.Success(DtlsRole.Client, Gcm, 0xC02B, new byte[60], TimeSpan.Zero));
}
