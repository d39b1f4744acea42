namespace Sfu.Core.Negotiation;

/// <summary>
/// a=setup (RFC 4145 §4, RFC 8842 §5): who starts the DTLS handshake. An offer says
/// <see cref="ActPass"/>; an answer must pick <see cref="Active"/> (we send ClientHello) or
/// <see cref="Passive"/> (we wait for it).
/// </summary>
public enum DtlsSetup
{
    ActPass,
    Active,
    Passive,
    HoldConn,
}
