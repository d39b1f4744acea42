using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.X509;
using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

public partial class DtlsCertificateTests
{
    [Fact]
    public void Fingerprint_is_sha256_as_32_uppercase_colon_separated_pairs()
    {
        DtlsCertificate certificate = DtlsTestCertificates.A;

        Assert.Equal("sha-256", certificate.FingerprintAlgorithm);
        Assert.Matches(SdpFingerprint(), certificate.Fingerprint);
        Assert.Equal(32, certificate.Fingerprint.Split(':').Length);

        // Independent computation: hex of SHA-256(DER) with colons between pairs.
        string expected = string.Join(':', Convert.ToHexString(SHA256.HashData(certificate.Der)).Chunk(2).Select(c => new string(c)));
        Assert.Equal(expected, certificate.Fingerprint);
    }

    [Fact]
    public void Is_self_signed_ecdsa_p256_with_sha256()
    {
        var certificate = new X509Certificate(DtlsTestCertificates.A.Der.ToArray());

        certificate.Verify(certificate.GetPublicKey()); // throws if the self-signature is wrong
        Assert.Equal(certificate.IssuerDN, certificate.SubjectDN);
        Assert.Equal(X9ObjectIdentifiers.ECDsaWithSha256.Id, certificate.SigAlgOid);
        Assert.Equal(
            SecObjectIdentifiers.SecP256r1,
            certificate.CertificateStructure.SubjectPublicKeyInfo.Algorithm.Parameters);
        Assert.Equal(3, certificate.Version);
    }

    [Fact]
    public void Validity_is_backdated_one_day_and_lasts_thirty()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 5, 17, 12, 0, 0, TimeSpan.Zero));
        DtlsCertificate certificate = DtlsCertificate.Generate(time);

        Assert.Equal(new DateTimeOffset(2030, 5, 16, 12, 0, 0, TimeSpan.Zero), certificate.NotBefore);
        Assert.Equal(new DateTimeOffset(2030, 6, 16, 12, 0, 0, TimeSpan.Zero), certificate.NotAfter);
    }

    [Fact]
    public void Each_certificate_has_its_own_key_serial_and_fingerprint()
    {
        var a = new X509Certificate(DtlsTestCertificates.A.Der.ToArray());
        var b = new X509Certificate(DtlsTestCertificates.B.Der.ToArray());

        Assert.NotEqual(a.SerialNumber, b.SerialNumber);
        Assert.True(a.SerialNumber.SignValue > 0); // RFC 5280 §4.1.2.2: positive
        Assert.NotEqual(DtlsTestCertificates.A.Fingerprint, DtlsTestCertificates.B.Fingerprint);
    }

    [GeneratedRegex("^[0-9A-F]{2}(:[0-9A-F]{2}){31}$")]
    private static partial Regex SdpFingerprint();
}
