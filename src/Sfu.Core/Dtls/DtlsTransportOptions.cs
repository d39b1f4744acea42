using Sfu.Core.Srtp;

namespace Sfu.Core.Dtls;

/// <summary>Tunables of a <see cref="DtlsTransport"/>; the defaults suit browsers.</summary>
public sealed class DtlsTransportOptions
{
    /// <summary>The defaults: 10 s handshake timeout, 1 s first retransmission, GCM then CM.</summary>
    public static DtlsTransportOptions Default { get; } = new();

    /// <summary>
    /// Upper bound for the whole handshake, counted from <see cref="DtlsTransport.HandshakeAsync"/>
    /// (measured on the transport's <see cref="TimeProvider"/>). Start the handshake once ICE
    /// has a working pair, otherwise the wait for the first flight eats into this budget.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Initial retransmission timer (RFC 6347 §4.2.4.1 suggests 1 s, doubling on each expiry).
    /// </summary>
    public TimeSpan InitialRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// SRTP protection profiles in preference order. As client they are offered in this order;
    /// as server the first one the client also offered wins (RFC 5764 §4.1.1 lets the server
    /// choose). Default: AEAD_AES_128_GCM (RFC 7714) then AES128_CM_HMAC_SHA1_80.
    /// </summary>
    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; init; } = [SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80];

    /// <summary>
    /// How many received datagrams may wait for the DTLS thread; beyond that
    /// <see cref="DtlsTransport.EnqueueIncoming"/> drops (the peer retransmits).
    /// </summary>
    public int ReceiveQueueCapacity { get; init; } = 64;
}
