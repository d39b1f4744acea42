using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.X509;
using TlsCertificateChain = Org.BouncyCastle.Tls.Certificate;

namespace Sfu.Core.Dtls;

/// <summary>
/// The server's DTLS identity: an ECDSA P-256 key and a self-signed X.509 certificate whose
/// SHA-256 fingerprint goes into every SDP answer (<c>a=fingerprint:sha-256 AB:CD:...</c>,
/// RFC 8122 §5). WebRTC authenticates by that fingerprint, not by a CA chain (RFC 8827 §6.5),
/// so the certificate is deliberately self-signed. Generate one per process and share it
/// across sessions: it is immutable and thread-safe.
/// </summary>
public sealed class DtlsCertificate
{
    /// <summary>How long a generated certificate is valid; short on purpose (it is per-process).</summary>
    internal static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    /// <summary>How far notBefore is back-dated so peers with a slow clock still accept it.</summary>
    internal static readonly TimeSpan Backdate = TimeSpan.FromDays(1);

    private readonly byte[] _der;

    private DtlsCertificate(X509CertificateStructure structure, AsymmetricKeyParameter privateKey, DtlsFingerprint fingerprint)
    {
        Structure = structure;
        PrivateKey = privateKey;
        _der = structure.GetEncoded();
        Sha256 = fingerprint;
        NotBefore = new DateTimeOffset(structure.StartDate.ToDateTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(structure.EndDate.ToDateTime(), TimeSpan.Zero);
    }

    /// <summary>The hash function named in our SDP fingerprint: always "sha-256".</summary>
    public string FingerprintAlgorithm => Sha256.Algorithm;

    /// <summary>Our certificate's SHA-256 fingerprint as upper-case hex pairs joined by colons.</summary>
    public string Fingerprint => Sha256.Value;

    /// <summary>Start of the validity period (back-dated by a day).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>End of the validity period.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The DER encoding of the certificate.</summary>
    public ReadOnlySpan<byte> Der => _der;

    internal DtlsFingerprint Sha256 { get; }

    internal X509CertificateStructure Structure { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>
    /// Generates a fresh ECDSA P-256 key pair and a self-signed certificate signed with
    /// ecdsa-with-SHA256, with a random 128-bit serial number and a validity of
    /// [now - 1 day, now + 30 days].
    /// </summary>
    public static DtlsCertificate Generate(TimeProvider? time = null)
    {
        DateTimeOffset now = (time ?? TimeProvider.System).GetUtcNow();
        var random = new SecureRandom();

        var keyGenerator = new ECKeyPairGenerator("EC");
        keyGenerator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair keyPair = keyGenerator.GenerateKeyPair();

        // RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random bytes keeps it unique per process.
        byte[] serial = new byte[16];
        random.NextBytes(serial);

        // The name carries no meaning in WebRTC; browsers use "WebRTC" too.
        var name = new X509Name("CN=WebRTC");
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(1, serial));
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);
        generator.SetNotBefore((now - Backdate).UtcDateTime);
        generator.SetNotAfter((now + Lifetime).UtcDateTime);
        generator.SetPublicKey(keyPair.Public);

        X509Certificate certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random));
        X509CertificateStructure structure = certificate.CertificateStructure;
        return new DtlsCertificate(structure, keyPair.Private, DtlsFingerprint.Compute("sha-256", structure.GetEncoded()));
    }

    /// <summary>Wraps the certificate as a one-element TLS chain bound to <paramref name="crypto"/>.</summary>
    internal TlsCertificateChain CreateChain(BcTlsCrypto crypto) =>
        new(new TlsCertificate[] { new BcTlsCertificate(crypto, Structure) });
}
