namespace Sfu.Core.Negotiation;

/// <summary>
/// What the SFU puts in every m= section it writes: ICE credentials (RFC 8839 §5.4), the DTLS
/// certificate fingerprint (RFC 8122 §5), the DTLS role (RFC 8842 §5) and its single host candidate.
/// Setup must be Active or Passive in answers; ActPass is allowed in offers.
/// </summary>
public sealed record LocalTransport(
    string IceUfrag,
    string IcePwd,
    string FingerprintAlgorithm,
    string Fingerprint,
    DtlsSetup Setup,
    string CandidateAddress,
    int CandidatePort);
