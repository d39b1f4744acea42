using System.Buffers.Binary;
using System.Security.Cryptography;
using Sfu.Core.Srtp;

namespace Sfu.LoadTest;

/// <summary>
/// The relay's SRTP for one subscriber, AEAD_AES_128_GCM (RFC 7714), written for the baseline
/// alone: session keys derived once from the master key and salt the subscriber sent in its
/// hello, then per copy one AES-GCM encryption of the payload with the header as associated
/// data, and nothing else. The cipher is the one SfuRouter's SRTP uses (<see cref="Aes128Gcm"/>),
/// so the two differ by everything but the crypto. The relay does not rewrite headers, so the sender's rollover counter
/// is the source stream's and is passed in.
/// </summary>
internal sealed class RelaySrtpSender : IDisposable
{
    public const int MasterKeyLength = 16;
    public const int MasterSaltLength = 12;
    public const int TagLength = 16;

    // RFC 3711 §4.3.1 labels: k_e and k_s of SRTP.
    private const byte EncryptionLabel = 0x00;
    private const byte SaltLabel = 0x02;
    private const int NonceLength = 12;

    private readonly Aes128Gcm _cipher;
    private readonly byte[] _sessionSalt;

    public RelaySrtpSender(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        using Aes prf = Aes.Create();
        prf.Key = masterKey.ToArray();
        byte[] sessionKey = Derive(prf, masterSalt, EncryptionLabel, MasterKeyLength);
        _sessionSalt = Derive(prf, masterSalt, SaltLabel, MasterSaltLength);
        _cipher = new Aes128Gcm(sessionKey);
        CryptographicOperations.ZeroMemory(sessionKey);
    }

    /// <summary>Writes the SRTP form of <paramref name="rtp"/> to <paramref name="destination"/>; returns its length, 0 when the header does not parse.</summary>
    public int Protect(ReadOnlySpan<byte> rtp, uint rolloverCounter, Span<byte> destination)
    {
        int header = HeaderLength(rtp);
        if (header == 0 || destination.Length < rtp.Length + TagLength)
        {
            return 0;
        }

        // RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR the session salt.
        Span<byte> nonce = stackalloc byte[NonceLength];
        nonce[..2].Clear();
        rtp.Slice(8, 4).CopyTo(nonce[2..]);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], rolloverCounter);
        rtp.Slice(2, 2).CopyTo(nonce[10..]);
        for (int i = 0; i < NonceLength; i++)
        {
            nonce[i] ^= _sessionSalt[i];
        }

        // RFC 7714 §8.2: the header is the associated data, the payload the plaintext, the tag follows.
        rtp[..header].CopyTo(destination);
        _cipher.Encrypt(nonce, rtp[header..], destination[header..rtp.Length], destination.Slice(rtp.Length, TagLength), rtp[..header]);
        return rtp.Length + TagLength;
    }

    public void Dispose() => _cipher.Dispose();

    /// <summary>RFC 3550 §5.1: fixed header, CSRC list and header extension; 0 when the packet is shorter.</summary>
    private static int HeaderLength(ReadOnlySpan<byte> rtp)
    {
        if (rtp.Length < ClearRtpCounter.FixedHeaderLength)
        {
            return 0;
        }

        int length = ClearRtpCounter.FixedHeaderLength + (4 * (rtp[0] & 0x0F));
        if ((rtp[0] & 0x10) != 0)
        {
            if (rtp.Length < length + 4)
            {
                return 0;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(rtp[(length + 2)..]));
        }

        return length <= rtp.Length ? length : 0;
    }

    /// <summary>
    /// RFC 3711 §4.3.3 (kept for GCM by RFC 7714 §11): AES in counter mode under the master key,
    /// IV = (label · 2^48 ⊕ master salt) · 2^16 with the 96-bit salt left-aligned, the keystream
    /// truncated to <paramref name="length"/>.
    /// </summary>
    private static byte[] Derive(Aes prf, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        int blocks = (length + 15) / 16;
        byte[] counters = new byte[blocks * 16];
        for (int b = 0; b < blocks; b++)
        {
            Span<byte> block = counters.AsSpan(b * 16, 16);
            masterSalt.CopyTo(block);
            block[7] ^= label;
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)b);
        }

        return prf.EncryptEcb(counters, PaddingMode.None)[..length];
    }
}
