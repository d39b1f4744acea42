using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sfu.Core.Srtp;

/// <summary>
/// One direction of one DTLS-SRTP association: protects what we send, or unprotects what we
/// receive (a peer therefore has two contexts). Implements SRTP and SRTCP (RFC 3711) for
/// SRTP_AES128_CM_HMAC_SHA1_80 and SRTP_AEAD_AES_128_GCM (RFC 7714), in place and without
/// allocating per packet.
/// </summary>
/// <remarks>
/// <para>
/// Session keys are derived once from the master key and salt (RFC 3711 §4.3, kdr = 0).
/// Per-SSRC state (ROC, highest index, replay windows, SRTCP index; §3.2.1) is created on the
/// first packet of an SSRC; on the receiving side only once that packet authenticated, so
/// forged packets cannot make the context grow or move any state.
/// </para>
/// <para>
/// Not thread-safe by design: one owner loop per context (no locks on the hot path).
/// </para>
/// <para>
/// The sender must never protect two different payloads under the same SSRC and sequence
/// number within one ROC: that would reuse a keystream / GCM nonce. Retransmitting the same
/// packet unchanged is safe.
/// </para>
/// </remarks>
public sealed class SrtpContext : IDisposable
{
    /// <summary>Largest tag any supported profile appends to RTP (16 for AES-GCM, 10 for AES-CM).</summary>
    public const int MaxRtpOverhead = 16;

    /// <summary>Largest trailer any supported profile appends to RTCP (4-byte E||index + 16-byte tag).</summary>
    public const int MaxRtcpOverhead = 20;

    /// <summary>Cap on SSRCs tracked per context; beyond it new SSRCs get <see cref="SrtpResult.TooManyStreams"/>.</summary>
    public const int MaxStreams = 4096;

    private const int RtcpHeaderLength = 8;
    private const int IndexWordLength = 4;
    private const int MaxDatagramLength = 0xFFFF;
    private const uint EncryptedFlag = 0x8000_0000;
    private const uint SrtcpIndexMask = 0x7FFF_FFFF;

    private readonly SrtpTransform _rtp;
    private readonly SrtpTransform _rtcp;
    private readonly Dictionary<uint, SrtpStreamState> _streams = [];
    private bool _disposed;

    private SrtpContext(SrtpProfile profile, SrtpTransform rtp, SrtpTransform rtcp)
    {
        Profile = profile;
        _rtp = rtp;
        _rtcp = rtcp;
    }

    /// <summary>The negotiated protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Bytes <see cref="ProtectRtp"/> appends for this profile.</summary>
    public int RtpOverhead => _rtp.RtpOverhead;

    /// <summary>Bytes <see cref="ProtectRtcp"/> appends for this profile.</summary>
    public int RtcpOverhead => _rtcp.RtcpOverhead;

    /// <summary>Number of SSRCs with state (for tests and metrics).</summary>
    internal int StreamCount => _streams.Count;

    /// <summary>
    /// Creates a context from the master key and salt exported by DTLS (RFC 5764 §4.2), deriving
    /// the six session keys (RFC 3711 §4.3; RFC 7714 §11 for the 96-bit AEAD salt).
    /// </summary>
    /// <exception cref="ArgumentException">Unsupported profile or wrong key/salt length (a caller bug, not network input).</exception>
    public static SrtpContext Create(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (!profile.IsSupported())
        {
            throw new ArgumentException($"Unsupported SRTP profile {profile}.", nameof(profile));
        }

        if (masterKey.Length != profile.MasterKeyLength() || masterSalt.Length != profile.MasterSaltLength())
        {
            throw new ArgumentException($"{profile} needs a {profile.MasterKeyLength()}-byte master key and a {profile.MasterSaltLength()}-byte master salt.");
        }

        int saltLength = profile.MasterSaltLength();
        Span<byte> rtpKey = stackalloc byte[16];
        Span<byte> rtpSalt = stackalloc byte[saltLength];
        Span<byte> rtpAuth = stackalloc byte[AesCmHmacSha1Transform.AuthKeyLength];
        Span<byte> rtcpKey = stackalloc byte[16];
        Span<byte> rtcpSalt = stackalloc byte[saltLength];
        Span<byte> rtcpAuth = stackalloc byte[AesCmHmacSha1Transform.AuthKeyLength];
        try
        {
            using (var prf = new AesCounterMode(masterKey))
            {
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpEncryption, rtpKey);
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpSalt, rtpSalt);
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpEncryption, rtcpKey);
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpSalt, rtcpSalt);
                if (profile == SrtpProfile.Aes128CmHmacSha1_80)
                {
                    SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpAuthentication, rtpAuth);
                    SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpAuthentication, rtcpAuth);
                }
            }

            return CreateFromSessionKeys(profile, rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rtpKey);
            CryptographicOperations.ZeroMemory(rtpSalt);
            CryptographicOperations.ZeroMemory(rtpAuth);
            CryptographicOperations.ZeroMemory(rtcpKey);
            CryptographicOperations.ZeroMemory(rtcpSalt);
            CryptographicOperations.ZeroMemory(rtcpAuth);
        }
    }

    /// <summary>
    /// Creates a context from session keys directly, skipping the KDF; the RFC 7714 test vectors
    /// are given this way. Auth keys are ignored for the AEAD profile.
    /// </summary>
    internal static SrtpContext CreateFromSessionKeys(
        SrtpProfile profile,
        ReadOnlySpan<byte> rtpKey,
        ReadOnlySpan<byte> rtpSalt,
        ReadOnlySpan<byte> rtpAuthKey,
        ReadOnlySpan<byte> rtcpKey,
        ReadOnlySpan<byte> rtcpSalt,
        ReadOnlySpan<byte> rtcpAuthKey)
    {
        SrtpTransform? rtp = null;
        try
        {
            if (profile == SrtpProfile.Aes128CmHmacSha1_80)
            {
                rtp = new AesCmHmacSha1Transform(rtpKey, rtpSalt, rtpAuthKey);
                return new SrtpContext(profile, rtp, new AesCmHmacSha1Transform(rtcpKey, rtcpSalt, rtcpAuthKey));
            }

            if (profile == SrtpProfile.AeadAes128Gcm)
            {
                rtp = new AesGcmTransform(rtpKey, rtpSalt);
                return new SrtpContext(profile, rtp, new AesGcmTransform(rtcpKey, rtcpSalt));
            }
        }
        catch
        {
            rtp?.Dispose();
            throw;
        }

        throw new ArgumentException($"Unsupported SRTP profile {profile}.", nameof(profile));
    }

    /// <summary>
    /// Protects the RTP packet in <c>buffer[..length]</c> in place (RFC 3711 §3.3; RFC 7714 §8.2)
    /// and appends the tag; <paramref name="buffer"/> needs <see cref="RtpOverhead"/> spare bytes.
    /// The ROC for the SSRC follows the sequence numbers given (§3.3.1): a wrap from 65535 to 0
    /// increments it, and an older, reordered sequence number is placed in its own ROC.
    /// </summary>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        protectedLength = 0;

        SrtpResult header = SrtpRtpHeader.TryGetLength(buffer[..length], out int headerLength);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        if (length + _rtp.RtpOverhead > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        if (buffer.Length < length + _rtp.RtpOverhead)
        {
            return SrtpResult.BufferTooSmall;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        SrtpStreamState? stream = GetOrAddStream(ssrc);
        if (stream is null)
        {
            return SrtpResult.TooManyStreams;
        }

        if (!SrtpPacketIndex.TryEstimate(stream.HasSent, stream.HighestSentIndex, sequence, out ulong index))
        {
            return SrtpResult.ReplayTooOld;
        }

        _rtp.SealRtp(buffer, headerLength, length, ssrc, index);
        if (!stream.HasSent || index > stream.HighestSentIndex)
        {
            stream.HasSent = true;
            stream.HighestSentIndex = index;
        }

        protectedLength = length + _rtp.RtpOverhead;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Unprotects one SRTP packet in place (RFC 3711 §3.3): estimates its index (§3.3.1), rejects
    /// replays before spending crypto on them (§3.3.2), authenticates, decrypts, and only then
    /// moves the ROC and replay window. On success <c>packet[..plainLength]</c> is the RTP packet;
    /// on failure the buffer contents are unspecified.
    /// </summary>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        int tagLength = _rtp.RtpOverhead;
        if (packet.Length < SrtpRtpHeader.FixedLength + tagLength)
        {
            return packet.Length >= 1 && packet[0] >> 6 != 2 ? SrtpResult.Malformed : SrtpResult.TooShort;
        }

        if (packet.Length > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        int payloadEnd = packet.Length - tagLength;
        SrtpResult header = SrtpRtpHeader.TryGetLength(packet[..payloadEnd], out int headerLength);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        _streams.TryGetValue(ssrc, out SrtpStreamState? stream);
        if (stream is null && _streams.Count >= MaxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        bool hasHistory = stream is not null && stream.RtpWindow.IsInitialized;
        ulong highest = hasHistory ? stream!.RtpWindow.Highest : 0;
        if (!SrtpPacketIndex.TryEstimate(hasHistory, highest, sequence, out ulong index))
        {
            return SrtpResult.ReplayTooOld;
        }

        if (stream is not null)
        {
            SrtpResult replay = stream.RtpWindow.Check(index);
            if (replay != SrtpResult.Ok)
            {
                return replay;
            }
        }

        if (!_rtp.OpenRtp(packet, headerLength, payloadEnd, ssrc, index))
        {
            return SrtpResult.AuthenticationFailed;
        }

        stream ??= AddStream(ssrc);
        stream.RtpWindow.Accept(index);
        plainLength = payloadEnd;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Protects the RTCP compound packet in <c>buffer[..length]</c> in place (RFC 3711 §3.4;
    /// RFC 7714 §9): encrypts everything after the first 8 bytes, sets the E flag, appends the
    /// SRTCP index of the sender SSRC (which then increments) and the tag.
    /// <paramref name="buffer"/> needs <see cref="RtcpOverhead"/> spare bytes.
    /// </summary>
    public SrtpResult ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        protectedLength = 0;

        SrtpResult header = CheckRtcpHeader(buffer[..length], RtcpHeaderLength);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        if (length + _rtcp.RtcpOverhead > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        if (buffer.Length < length + _rtcp.RtcpOverhead)
        {
            return SrtpResult.BufferTooSmall;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        SrtpStreamState? stream = GetOrAddStream(ssrc);
        if (stream is null)
        {
            return SrtpResult.TooManyStreams;
        }

        uint index = stream.NextSrtcpIndex;

        // The index is 31 bits (§3.4); 2^31 RTCP packets under one key does not happen in a call.
        stream.NextSrtcpIndex = (index + 1) & SrtcpIndexMask;
        protectedLength = _rtcp.SealRtcp(buffer, length, ssrc, index);
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Unprotects one SRTCP packet in place (RFC 3711 §3.4; RFC 7714 §9): reads E and the SRTCP
    /// index, rejects replays, authenticates, decrypts when E is set, then records the index.
    /// On success <c>packet[..plainLength]</c> is the RTCP compound packet.
    /// </summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        SrtpResult header = CheckRtcpHeader(packet, RtcpHeaderLength + _rtcp.RtcpOverhead);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        if (packet.Length > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[^_rtcp.RtcpIndexOffsetFromEnd..]);
        bool encrypted = (word & EncryptedFlag) != 0;
        uint index = word & SrtcpIndexMask;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);

        _streams.TryGetValue(ssrc, out SrtpStreamState? stream);
        if (stream is null && _streams.Count >= MaxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        if (stream is not null)
        {
            SrtpResult replay = stream.RtcpWindow.Check(index);
            if (replay != SrtpResult.Ok)
            {
                return replay;
            }
        }

        if (!_rtcp.OpenRtcp(packet, ssrc, index, encrypted, out int length))
        {
            return SrtpResult.AuthenticationFailed;
        }

        stream ??= AddStream(ssrc);
        stream.RtcpWindow.Accept(index);
        plainLength = length;
        return SrtpResult.Ok;
    }

    /// <summary>Version 2 and at least <paramref name="minimumLength"/> bytes (RFC 3550 §6.4.1).</summary>
    private static SrtpResult CheckRtcpHeader(ReadOnlySpan<byte> packet, int minimumLength)
    {
        if (packet.Length >= 1 && packet[0] >> 6 != 2)
        {
            return SrtpResult.Malformed;
        }

        return packet.Length < minimumLength ? SrtpResult.TooShort : SrtpResult.Ok;
    }

    private SrtpStreamState? GetOrAddStream(uint ssrc)
    {
        if (_streams.TryGetValue(ssrc, out SrtpStreamState? stream))
        {
            return stream;
        }

        return _streams.Count >= MaxStreams ? null : AddStream(ssrc);
    }

    private SrtpStreamState AddStream(uint ssrc)
    {
        var stream = new SrtpStreamState();
        _streams.Add(ssrc, stream);
        return stream;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _rtp.Dispose();
        _rtcp.Dispose();
        _streams.Clear();
    }
}
