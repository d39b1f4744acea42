namespace Sfu.Core.Srtp;

/// <summary>
/// Master key and salt sizes per protection profile, so the DTLS layer can split the exporter
/// output (client key | server key | client salt | server salt, RFC 5764 §4.2).
/// </summary>
public static class SrtpProfileExtensions
{
    /// <summary>True for the profiles this SRTP implementation supports.</summary>
    public static bool IsSupported(this SrtpProfile profile)
        => profile is SrtpProfile.Aes128CmHmacSha1_80 or SrtpProfile.AeadAes128Gcm;

    /// <summary>Master key length in bytes: 16 for both profiles (RFC 5764 §4.1.2, RFC 7714 §14.2).</summary>
    public static int MasterKeyLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 16,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile."),
    };

    /// <summary>Master salt length in bytes: 14 (112 bits) for AES-CM, 12 (96 bits) for AES-GCM (RFC 7714 §14.2).</summary>
    public static int MasterSaltLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unsupported SRTP profile."),
    };
}
