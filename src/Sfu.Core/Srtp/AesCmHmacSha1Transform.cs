using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sfu.Core.Srtp;

/// <summary>
/// SRTP_AES128_CM_HMAC_SHA1_80 (RFC 3711 §4.1.1 AES-CM, §4.2.1 HMAC-SHA1 truncated to 80 bits).
/// </summary>
/// <remarks>
/// SRTP packet (RFC 3711 §3.1):
/// <code>
///   | RTP header (+CSRCs, +extension) | encrypted payload | auth tag (10) |
///   '------------------- authenticated (with ROC appended) -------'
/// </code>
/// SRTCP packet (RFC 3711 §3.4):
/// <code>
///   | RTCP header (8) | encrypted rest | E | SRTCP index (31) | auth tag (10) |
///   '------------------- authenticated ----------------------'
/// </code>
/// Counter-mode IV (§4.1.1): <c>(k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)</c>, where i is
/// the 48-bit SRTP packet index or the 31-bit SRTCP index.
/// </remarks>
internal sealed class AesCmHmacSha1Transform : SrtpTransform
{
    public const int KeyLength = 16;
    public const int SaltLength = 14;
    public const int AuthKeyLength = 20;
    public const int TagLength = 10;

    private const int IndexWordLength = 4;
    private const int RtcpHeaderLength = 8;
    private const uint EncryptedFlag = 0x8000_0000;

    private readonly AesCounterMode _cipher;
    private readonly IncrementalHash _hmac;
    private readonly byte[] _salt;

    public AesCmHmacSha1Transform(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionSalt, ReadOnlySpan<byte> authKey)
    {
        if (sessionKey.Length != KeyLength || sessionSalt.Length != SaltLength || authKey.Length != AuthKeyLength)
        {
            throw new ArgumentException("AES-CM-HMAC-SHA1 takes a 16-byte key, a 14-byte salt and a 20-byte auth key.");
        }

        _cipher = new AesCounterMode(sessionKey);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
        _salt = sessionSalt.ToArray();
    }

    public override int RtpOverhead => TagLength;

    public override int RtcpOverhead => IndexWordLength + TagLength;

    public override int RtcpIndexOffsetFromEnd => IndexWordLength + TagLength;

    public override void SealRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> iv = stackalloc byte[16];
        BuildIv(iv, ssrc, index);
        _cipher.Apply(iv, buffer[headerLength..length]);

        // The ROC is authenticated but never sent (§4.2: M = Authenticated Portion || ROC).
        ComputeTag(buffer[..length], RolloverCounter(index), hasRoc: true, buffer.Slice(length, TagLength));
    }

    public override bool OpenRtp(Span<byte> packet, int headerLength, int payloadEnd, uint ssrc, ulong index)
    {
        Span<byte> expected = stackalloc byte[TagLength];
        ComputeTag(packet[..payloadEnd], RolloverCounter(index), hasRoc: true, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet.Slice(payloadEnd, TagLength)))
        {
            return false;
        }

        Span<byte> iv = stackalloc byte[16];
        BuildIv(iv, ssrc, index);
        _cipher.Apply(iv, packet[headerLength..payloadEnd]);
        return true;
    }

    public override int SealRtcp(Span<byte> buffer, int length, uint ssrc, uint index)
    {
        Span<byte> iv = stackalloc byte[16];
        BuildIv(iv, ssrc, index);
        _cipher.Apply(iv, buffer[RtcpHeaderLength..length]);

        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], EncryptedFlag | index);
        int authenticatedEnd = length + IndexWordLength;
        ComputeTag(buffer[..authenticatedEnd], 0, hasRoc: false, buffer.Slice(authenticatedEnd, TagLength));
        return authenticatedEnd + TagLength;
    }

    public override bool OpenRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, out int plainLength)
    {
        int authenticatedEnd = packet.Length - TagLength;
        plainLength = authenticatedEnd - IndexWordLength;

        Span<byte> expected = stackalloc byte[TagLength];
        ComputeTag(packet[..authenticatedEnd], 0, hasRoc: false, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet[authenticatedEnd..]))
        {
            return false;
        }

        if (encrypted)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(iv, ssrc, index);
            _cipher.Apply(iv, packet[RtcpHeaderLength..plainLength]);
        }

        return true;
    }

    private static uint RolloverCounter(ulong index) => (uint)(index >> 16);

    private void BuildIv(Span<byte> iv, uint ssrc, ulong index)
    {
        _salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;

        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
        for (int i = 0; i < 4; i++)
        {
            iv[4 + i] ^= word[i];
        }

        // The index is at most 48 bits: it occupies bytes 8..13.
        BinaryPrimitives.WriteUInt64BigEndian(word, index << 16);
        for (int i = 0; i < 6; i++)
        {
            iv[8 + i] ^= word[i];
        }
    }

    private void ComputeTag(ReadOnlySpan<byte> authenticated, uint roc, bool hasRoc, Span<byte> tag)
    {
        _hmac.AppendData(authenticated);
        if (hasRoc)
        {
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
            _hmac.AppendData(rocBytes);
        }

        Span<byte> mac = stackalloc byte[20];
        _hmac.GetHashAndReset(mac);
        mac[..TagLength].CopyTo(tag);
    }

    public override void Dispose()
    {
        _cipher.Dispose();
        _hmac.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
