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
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>Largest tag any supported profile appends to RTP (16 for AES-GCM, 10 for AES-CM).</summary>
    public const int MaxRtpOverhead = 16;

    /// <summary>Largest trailer any supported profile appends to RTCP (4-byte E||index + 16-byte tag).</summary>
    public const int MaxRtcpOverhead = 20;

    /// <summary>Cap on SSRCs tracked per context; beyond it new SSRCs get <see cref="SrtpResult.TooManyStreams"/>.</summary>
    public const int MaxStreams = 4096;

    private const int MaxDatagramLength = 0xFFFF;

    private readonly SrtpTransform _rtp;
    private readonly SrtpTransform _rtcp;

    // The RTP transform's AES-GCM cipher (null for the other profiles), found once here so that
    // hinting its keys per copy needs no type check.
    private readonly Aes128Gcm? _rtpCipher;
    private readonly Dictionary<uint, SrtpStreamState> _streams = [];

    // The streams of the last two SSRCs looked up (a subscriber's audio and video): at a fan-out
    // of hundreds a dictionary lookup per copy costs the cache lines of its buckets and entries.
    // Streams are never removed before Dispose.
    private uint _recentSsrc;
    private SrtpStreamState? _recentStream;
    private uint _olderSsrc;
    private SrtpStreamState? _olderStream;
    private bool _disposed;

    private SrtpContext(SrtpProfile profile, SrtpTransform rtp, SrtpTransform rtcp)
    {
        Profile = profile;
        _rtp = rtp;
        _rtcp = rtcp;
        _rtpCipher = (rtp as AesGcmTransform)?.Cipher;
    }

    /// <summary>The negotiated protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Bytes <see cref="ProtectRtp"/> appends for this profile.</summary>
    public int RtpOverhead => _rtp.RtpOverhead;

    /// <summary>Bytes <see cref="ProtectRtcp"/> appends for this profile.</summary>
    public int RtcpOverhead => _rtcp.RtcpOverhead;

    /// <summary>
    /// Hints the CPU to load the RTP transform, which <see cref="ProtectRtp(Span{byte}, int, ref SrtpSendHandle, out int)"/>
    /// reads first (its type and overhead, then its keys); at 1 → 1,000 that first read held over
    /// a quarter of the method's samples. No effect on behaviour.
    /// </summary>
    internal void PrefetchTransform() => CachePrefetch.Object(_rtp);

    /// <summary>
    /// Hints the keys of the RTP transform (AES-GCM's; the other profiles' are not hinted); call
    /// it a turn after <see cref="PrefetchTransform"/>, which brought the transform in. No
    /// effect on behaviour.
    /// </summary>
    internal void PrefetchKeys() => _rtpCipher?.Prefetch();

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

    private SrtpStreamState? GetOrAddStream(uint ssrc)
    {
        if (_recentStream is { } recent && _recentSsrc == ssrc)
        {
            return recent;
        }

        if (_olderStream is { } older && _olderSsrc == ssrc)
        {
            (_olderSsrc, _olderStream) = (_recentSsrc, _recentStream);
            (_recentSsrc, _recentStream) = (ssrc, older);
            return older;
        }

        if (!_streams.TryGetValue(ssrc, out SrtpStreamState? stream))
        {
            if (_streams.Count >= MaxStreams)
            {
                return null;
            }

            stream = AddStream(ssrc);
        }

        (_olderSsrc, _olderStream) = (_recentSsrc, _recentStream);
        (_recentSsrc, _recentStream) = (ssrc, stream);
        return stream;
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
        _recentStream = null;
        _olderStream = null;
    }
}
