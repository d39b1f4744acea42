using System.Security.Cryptography;

namespace Sfu.Core.Srtp;

/// <summary>
/// The SRTP key derivation function (RFC 3711 §4.3) with key_derivation_rate 0, as DTLS-SRTP
/// uses (RFC 5764 §4.1.2): session keys are derived once per master key.
/// </summary>
/// <remarks>
/// <code>
///   key_id = label || (index DIV kdr)          ; kdr = 0, so the index part is 0 (§4.3.1)
///   x      = key_id XOR master_salt            ; 112 bits, label lands in byte 7
///   k_e etc. = AES-CM(master_key, IV = x * 2^16), truncated to the wanted length (§4.3.3)
/// </code>
/// The AEAD profiles keep this PRF; their 96-bit master salt is padded with zero bits on the
/// right to the 112 bits the PRF expects (RFC 7714 §11).
/// </remarks>
internal static class SrtpKeyDerivation
{
    /// <summary>Labels of RFC 3711 §4.3.1 (and §4.3.2 for SRTCP).</summary>
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    private const int PrfSaltLength = 14;

    /// <summary>Fills <paramref name="output"/> with the PRF output for <paramref name="label"/>.</summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        using var prf = new AesCounterMode(masterKey);
        Derive(prf, masterSalt, label, output);
    }

    /// <summary>Same as the other overload, with a PRF already keyed with the master key.</summary>
    public static void Derive(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterSalt.Length > PrfSaltLength)
        {
            throw new ArgumentException("The SRTP master salt is at most 112 bits.", nameof(masterSalt));
        }

        // IV = (label * 2^48 XOR master_salt) * 2^16: salt left-aligned, zero-padded to 16 bytes.
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label;

        // The PRF output is the keystream itself: encrypt zeros.
        output.Clear();
        prf.Apply(iv, output);
        CryptographicOperations.ZeroMemory(iv);
    }
}
