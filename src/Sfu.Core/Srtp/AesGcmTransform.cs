using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sfu.Core.Srtp;

/// <summary>
/// SRTP_AEAD_AES_128_GCM (RFC 7714): AES-GCM with a 16-byte tag; what is authenticated but
/// not encrypted is passed as associated data.
/// </summary>
/// <remarks>
/// SRTP packet (RFC 7714 §8.1, §8.2): the whole RTP header, CSRCs and extension included, is AAD.
/// <code>
///   | RTP header (AAD) | ciphertext | tag (16) |
///   IV = (00 00 || SSRC || ROC || SEQ) XOR salt          ; 12 bytes, §8.1
/// </code>
/// SRTCP packet (RFC 7714 §9.1–§9.3): the index word follows the tag.
/// <code>
///   | RTCP header (8) | ciphertext | tag (16) | E | SRTCP index (31) |
///   IV  = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt      ; §9.1
///   AAD = header (8) || E || index          when E = 1               ; §9.2
///   AAD = whole RTCP packet || E || index   when E = 0 (nothing encrypted) ; §9.3
/// </code>
/// The cipher is ours (<see cref="Aes128Gcm"/>): on AES-NI and PCLMULQDQ a quarter of the
/// platform's cost on a 1,200-byte packet, most of which was OpenSSL's per-call work.
/// </remarks>
internal sealed class AesGcmTransform : SrtpTransform
{
    public const int KeyLength = 16;
    public const int SaltLength = 12;
    public const int TagLength = 16;

    private const int IndexWordLength = 4;
    private const int RtcpHeaderLength = 8;
    private const uint EncryptedFlag = 0x8000_0000;

    private readonly Aes128Gcm _cipher;

    // The salt as two big-endian words, bytes 0..7 and 8..11: the IV is built with two XORs, and
    // without an array of its own to load for every packet.
    private ulong _saltHigh;
    private uint _saltLow;

    /// <param name="platformCipher">Use the platform's AES-GCM even where ours runs (tests of that path).</param>
    public AesGcmTransform(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionSalt, bool platformCipher = false)
    {
        if (sessionKey.Length != KeyLength || sessionSalt.Length != SaltLength)
        {
            throw new ArgumentException("AEAD_AES_128_GCM takes a 16-byte key and a 12-byte salt.");
        }

        _cipher = new Aes128Gcm(sessionKey, platformCipher);
        _saltHigh = BinaryPrimitives.ReadUInt64BigEndian(sessionSalt);
        _saltLow = BinaryPrimitives.ReadUInt32BigEndian(sessionSalt[8..]);
    }

    public override int RtpOverhead => TagLength;

    /// <summary>The cipher, whose keys the fan-out hints ahead of a seal (<see cref="Aes128Gcm.Prefetch"/>).</summary>
    internal Aes128Gcm Cipher => _cipher;

    public override int RtcpOverhead => TagLength + IndexWordLength;

    public override int RtcpIndexOffsetFromEnd => IndexWordLength;

    public override void SealRtp(Span<byte> buffer, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> iv = stackalloc byte[SaltLength];
        BuildRtpIv(iv, ssrc, index);
        Span<byte> payload = buffer[headerLength..length];
        Seal(iv, payload, buffer.Slice(length, TagLength), buffer[..headerLength]);
    }

    public override bool OpenRtp(Span<byte> packet, int headerLength, int payloadEnd, uint ssrc, ulong index)
    {
        Span<byte> iv = stackalloc byte[SaltLength];
        BuildRtpIv(iv, ssrc, index);
        Span<byte> payload = packet[headerLength..payloadEnd];
        return TryDecrypt(iv, payload, packet.Slice(payloadEnd, TagLength), packet[..headerLength]);
    }

    public override int SealRtcp(Span<byte> buffer, int length, uint ssrc, uint index)
    {
        Span<byte> iv = stackalloc byte[SaltLength];
        BuildRtcpIv(iv, ssrc, index);

        // The AAD (header, then the index word) is not contiguous in the packet: assemble it.
        Span<byte> aad = stackalloc byte[RtcpHeaderLength + IndexWordLength];
        buffer[..RtcpHeaderLength].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], EncryptedFlag | index);

        Span<byte> body = buffer[RtcpHeaderLength..length];
        Seal(iv, body, buffer.Slice(length, TagLength), aad);
        aad[RtcpHeaderLength..].CopyTo(buffer[(length + TagLength)..]);
        return length + TagLength + IndexWordLength;
    }

    public override bool OpenRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, out int plainLength)
    {
        plainLength = packet.Length - IndexWordLength - TagLength;
        Span<byte> iv = stackalloc byte[SaltLength];
        BuildRtcpIv(iv, ssrc, index);

        Span<byte> tag = stackalloc byte[TagLength];
        packet.Slice(plainLength, TagLength).CopyTo(tag);
        Span<byte> indexWord = stackalloc byte[IndexWordLength];
        packet[^IndexWordLength..].CopyTo(indexWord);

        if (encrypted)
        {
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + IndexWordLength];
            packet[..RtcpHeaderLength].CopyTo(aad);
            indexWord.CopyTo(aad[RtcpHeaderLength..]);
            return TryDecrypt(iv, packet[RtcpHeaderLength..plainLength], tag, aad);
        }

        // E = 0: the AAD is the packet followed by the index word. Moving the index word over
        // the (already copied) tag makes it contiguous without a scratch buffer.
        indexWord.CopyTo(packet[plainLength..]);
        return TryDecrypt(iv, [], tag, packet[..(plainLength + IndexWordLength)]);
    }

    private void Seal(ReadOnlySpan<byte> iv, Span<byte> data, Span<byte> tag, ReadOnlySpan<byte> aad)
        => _cipher.Encrypt(iv, data, data, tag, aad);

    private bool TryDecrypt(ReadOnlySpan<byte> iv, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
        => _cipher.TryDecrypt(iv, data, tag, data, aad);

    /// <summary>
    /// 00 00 || SSRC (4) || ROC (4) || SEQ (2), XOR the salt (§8.1). The 48-bit index is ROC || SEQ,
    /// so bytes 0..7 are SSRC and the ROC's high half, bytes 8..11 its low half and SEQ.
    /// </summary>
    private void BuildRtpIv(Span<byte> iv, uint ssrc, ulong index)
    {
        ulong roc = index >> 16;
        BinaryPrimitives.WriteUInt64BigEndian(iv, (((ulong)ssrc << 16) | (roc >> 16)) ^ _saltHigh);
        BinaryPrimitives.WriteUInt32BigEndian(iv[8..], (uint)(index & 0xFFFF_FFFF) ^ _saltLow);
    }

    /// <summary>00 00 || SSRC (4) || 00 00 || 0 || SRTCP index (31), XOR the salt (§9.1).</summary>
    private void BuildRtcpIv(Span<byte> iv, uint ssrc, uint index)
    {
        BinaryPrimitives.WriteUInt64BigEndian(iv, ((ulong)ssrc << 16) ^ _saltHigh);
        BinaryPrimitives.WriteUInt32BigEndian(iv[8..], index ^ _saltLow);
    }

    public override void Dispose()
    {
        _cipher.Dispose();
        _saltHigh = 0;
        _saltLow = 0;
    }
}
