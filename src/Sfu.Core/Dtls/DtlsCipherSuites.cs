using Org.BouncyCastle.Tls;

namespace Sfu.Core.Dtls;

/// <summary>
/// The DTLS 1.2 cipher suites and groups we negotiate. Our key is ECDSA P-256, so only
/// ECDHE_ECDSA suites apply. AEAD suites come first (RFC 7525 §4.2); AES_128_CBC_SHA is kept
/// as the fallback every WebRTC stack still offers.
/// </summary>
internal static class DtlsCipherSuites
{
    /// <summary>Cipher suites in preference order.</summary>
    public static readonly int[] Preferred =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    /// <summary>Named groups for ECDHE (RFC 8422 §5.1.1): X25519 first, then P-256.</summary>
    public static readonly int[] NamedGroups = [NamedGroup.x25519, NamedGroup.secp256r1];

    /// <summary>IANA name of one of our suites (hex number for anything else).</summary>
    public static string Name(int suite) => suite switch
    {
        0 => string.Empty,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        _ => "0x" + suite.ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };
}
