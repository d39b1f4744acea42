namespace Sfu.Core.Dtls;

/// <summary>Why a DTLS handshake did not produce SRTP keys.</summary>
public enum DtlsHandshakeError
{
    /// <summary>The handshake succeeded.</summary>
    None = 0,

    /// <summary>The handshake did not finish within <see cref="DtlsTransportOptions.HandshakeTimeout"/>.</summary>
    Timeout,

    /// <summary>The caller's cancellation token fired.</summary>
    Canceled,

    /// <summary>The transport was disposed while the handshake was running.</summary>
    Disposed,

    /// <summary>
    /// The peer's certificate does not hash to the SDP <c>a=fingerprint</c> (RFC 8122 §5,
    /// RFC 8827 §6.5); we sent a bad_certificate alert.
    /// </summary>
    FingerprintMismatch,

    /// <summary>The peer sent no certificate although WebRTC requires mutual authentication (RFC 5763 §5).</summary>
    MissingPeerCertificate,

    /// <summary>
    /// No SRTP protection profile in common, or the peer did not negotiate use_srtp at all
    /// (RFC 5764 §4.1.1); without it there are no SRTP keys.
    /// </summary>
    NoCommonSrtpProfile,

    /// <summary>The peer aborted the handshake with a fatal alert (see <see cref="DtlsHandshakeResult.Alert"/>).</summary>
    AlertReceived,

    /// <summary>Any other protocol failure (unexpected message, bad signature, ...), see the message.</summary>
    ProtocolError,
}
