namespace Sfu.Core.Dtls;

/// <summary>Why an established DTLS association ended.</summary>
public enum DtlsCloseReason
{
    /// <summary>We closed it (<see cref="DtlsTransport.Close"/> or <see cref="DtlsTransport.Dispose"/>).</summary>
    LocalClose,

    /// <summary>The peer sent close_notify (RFC 5246 §7.2.1), e.g. the browser closed the RTCPeerConnection.</summary>
    PeerCloseNotify,

    /// <summary>The peer sent a fatal alert (RFC 5246 §7.2.2).</summary>
    PeerFatalAlert,

    /// <summary>A local protocol error tore the association down.</summary>
    Error,
}
