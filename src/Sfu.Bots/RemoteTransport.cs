using System.Net;
using Sfu.Core.Ice;
using Sfu.Core.Negotiation;

namespace Sfu.Bots;

/// <summary>The peer's ICE credentials and candidates and its DTLS fingerprint and role, as its SDP states them.</summary>
internal sealed record RemoteTransport(
    IceCredentials Ice,
    Fingerprint Fingerprint,
    DtlsSetup Setup,
    IReadOnlyList<(IPEndPoint EndPoint, uint Priority)> Candidates);
