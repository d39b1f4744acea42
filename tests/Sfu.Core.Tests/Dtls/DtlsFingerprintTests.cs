using System.Text;
using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

public class DtlsFingerprintTests
{
    // FIPS 180-2 "abc" test vectors, formatted the SDP way (RFC 8122 §5).
    private const string Sha1Abc = "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D";
    private const string Sha256Abc = "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";
    private const string Sha384Abc = "CB:00:75:3F:45:A3:5E:8B:B5:A0:3D:69:9A:C6:50:07:27:2C:32:AB:0E:DE:D1:63:1A:8B:60:5A:43:FF:5B:ED:80:86:07:2B:A1:E7:CC:23:58:BA:EC:A1:34:C8:25:A7";
    private const string Sha512Abc = "DD:AF:35:A1:93:61:7A:BA:CC:41:73:49:AE:20:41:31:12:E6:FA:4E:89:A9:7E:A2:0A:9E:EE:E6:4B:55:D3:9A:21:92:99:2A:27:4F:C1:A8:36:BA:3C:23:A3:FE:EB:BD:45:4D:44:23:64:3C:E8:0E:2A:9A:C9:4F:A5:4C:A4:9F";

    [Theory]
    [InlineData("sha-1", Sha1Abc, "sha-1")] // 20-byte digest
    [InlineData("sha-256", Sha256Abc, "sha-256")] // what browsers send
    [InlineData("SHA-256", Sha256Abc, "sha-256")] // hash name is case-insensitive
    [InlineData("sha-384", Sha384Abc, "sha-384")] // 48-byte digest
    [InlineData("sha-512", Sha512Abc, "sha-512")] // 64-byte digest
    public void Parses_and_matches_FIPS_abc_vectors(string algorithm, string value, string canonical)
    {
        Assert.True(DtlsFingerprint.TryParse(algorithm, value, out DtlsFingerprint? fingerprint));
        Assert.Equal(canonical, fingerprint.Algorithm);
        Assert.Equal(value, fingerprint.Value);
        Assert.True(fingerprint.Matches("abc"u8));
        Assert.False(fingerprint.Matches("abd"u8));
    }

    [Fact]
    public void Hex_is_case_insensitive()
    {
        Assert.True(DtlsFingerprint.TryParse("sha-256", Sha256Abc.ToLowerInvariant(), out DtlsFingerprint? fingerprint));
        Assert.True(fingerprint.Matches("abc"u8));
        Assert.Equal(Sha256Abc, fingerprint.Value); // normalised to upper case
    }

    [Fact]
    public void Parses_whole_attribute_value()
    {
        Assert.True(DtlsFingerprint.TryParseAttribute("sha-256 " + Sha256Abc, out DtlsFingerprint? fingerprint));
        Assert.Equal("sha-256 " + Sha256Abc, fingerprint.ToString());
        Assert.False(DtlsFingerprint.TryParseAttribute(Sha256Abc, out _)); // no hash name
        Assert.False(DtlsFingerprint.TryParseAttribute(null, out _));
    }

    [Theory]
    [InlineData("md5", "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23")] // hash not allowed
    [InlineData("sha-256", "")] // empty
    [InlineData("sha-256", "BA:78:16:BF")] // too short
    [InlineData("sha-256", Sha256Abc + ":00")] // one byte too many
    [InlineData("sha-256", Sha256Abc + ":")] // trailing colon
    [InlineData("sha-256", "BA-78-16-BF-8F-01-CF-EA-41-41-40-DE-5D-AE-22-23-B0-03-61-A3-96-17-7A-9C-B4-10-FF-61-F2-00-15-AD")] // wrong separator
    [InlineData("sha-256", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")] // no separators
    [InlineData("sha-256", "GA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")] // non-hex digit
    [InlineData("sha-1", Sha256Abc)] // length belongs to another hash
    [InlineData("", Sha256Abc)] // no hash name
    public void Rejects_malformed(string algorithm, string value)
    {
        Assert.False(DtlsFingerprint.TryParse(algorithm, value, out DtlsFingerprint? fingerprint));
        Assert.Null(fingerprint);
    }

    [Fact]
    public void Rejects_null() => Assert.False(DtlsFingerprint.TryParse(null, null, out _));

    [Fact]
    public void Any_flipped_bit_of_the_certificate_breaks_the_match()
    {
        DtlsCertificate certificate = DtlsTestCertificates.A;
        DtlsFingerprint fingerprint = DtlsFingerprint.Compute("sha-256", certificate.Der);
        Assert.True(fingerprint.Matches(certificate.Der));

        byte[] der = certificate.Der.ToArray();
        for (int i = 0; i < der.Length; i += 7)
        {
            der[i] ^= 0x01;
            Assert.False(fingerprint.Matches(der));
            der[i] ^= 0x01;
        }

        Assert.False(fingerprint.Matches(DtlsTestCertificates.B.Der));
    }

    [Fact]
    public void Random_text_never_throws()
    {
        var random = new Random(5764);
        const string Alphabet = "0123456789abcdefABCDEFxyz:- ";
        for (int i = 0; i < 2000; i++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 100);
            for (int j = 0; j < length; j++)
            {
                text.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            _ = DtlsFingerprint.TryParse("sha-256", text.ToString(), out _);
            _ = DtlsFingerprint.TryParseAttribute(text.ToString(), out _);
        }
    }

    [Fact]
    public void Compute_rejects_unknown_hash() =>
        Assert.Throws<ArgumentException>(() => DtlsFingerprint.Compute("md5", "abc"u8));
}
