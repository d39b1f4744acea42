namespace Sfu.Core.Dtls;

/// <summary>
/// Where a <see cref="DtlsTransport"/> writes its outgoing datagrams, normally the UDP socket
/// bound to the peer's selected ICE candidate pair. Called from the transport's own worker
/// thread; the span is only valid for the duration of the call. Implementations must not throw
/// for transient network errors (UDP is lossy; DTLS retransmits).
/// </summary>
public interface IDtlsDatagramSender
{
    /// <summary>Sends one datagram (one or more whole DTLS records, RFC 6347 §4.1.1).</summary>
    void Send(ReadOnlySpan<byte> datagram);
}
