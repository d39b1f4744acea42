namespace Sfu.Core.Srtp;

/// <summary>
/// SRTP protection profiles negotiated through the DTLS use_srtp extension; the values are
/// the registry's two-byte identifiers (RFC 5764 §4.1.2, RFC 7714 §14.2).
/// </summary>
public enum SrtpProfile : ushort
{
    None = 0,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: 128-bit key, 112-bit salt, 80-bit tag.</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AEAD_AES_128_GCM: 128-bit key, 96-bit salt, 128-bit tag.</summary>
    AeadAes128Gcm = 0x0007,
}
