namespace Sfu.Core.Negotiation;

/// <summary>
/// What the SFU puts in every m= section it writes: ICE credentials (RFC 8839 §5.4), the DTLS
/// certificate fingerprint (RFC 8122 §5), the DTLS role (RFC 8842 §5), its UDP host candidate and,
/// when <paramref name="TcpCandidatePort"/> is not 0, a passive ICE-TCP one (RFC 6544).
/// Setup must be Active or Passive in answers; ActPass is allowed in offers.
/// </summary>
public sealed record LocalTransport(
    string IceUfrag,
    string IcePwd,
    string FingerprintAlgorithm,
    string Fingerprint,
    DtlsSetup Setup,
    string CandidateAddress,
    int CandidatePort,
    int TcpCandidatePort = 0);
