namespace Sfu.Core.Dtls;

/// <summary>
/// Which side of the DTLS handshake we play. RFC 5763 §5: the endpoint whose SDP says
/// <c>a=setup:active</c> is the DTLS client, <c>a=setup:passive</c> is the DTLS server. An
/// ICE-lite SFU answering a browser offer (<c>actpass</c>) normally answers <c>passive</c> and
/// therefore plays <see cref="Server"/>.
/// </summary>
public enum DtlsRole
{
    /// <summary>Sends the ClientHello (SDP <c>a=setup:active</c>).</summary>
    Client,

    /// <summary>Waits for the ClientHello (SDP <c>a=setup:passive</c>).</summary>
    Server,
}
