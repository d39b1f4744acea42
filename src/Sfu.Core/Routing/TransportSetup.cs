using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// The transport half of a participant's SDP: the ICE credentials, certificate fingerprint and
/// DTLS role the peer announces, an ICE restart when they change, and what we announce back.
/// </summary>
internal static class TransportSetup
{
    public static void Validate(SessionDescription description, string what)
    {
        if (description.Media.Count == 0)
        {
            throw new SignalingException($"The {what} has no m-sections.");
        }

        if (description.BundleGroup is null)
        {
            throw new SignalingException($"The {what} must use BUNDLE (a=group:BUNDLE): all media share one transport.");
        }
    }

    /// <summary>
    /// Takes ICE credentials, fingerprint and DTLS role from the first offer. We answer
    /// setup:passive to an actpass or active offerer (we are the DTLS server, the common
    /// choice of ICE-lite servers: the browser, as controlling ICE agent, starts DTLS as soon
    /// as its check succeeds) and setup:active only to a peer that insists on passive
    /// (RFC 8842 §5.3).
    /// </summary>
    public static void Configure(PeerTransport transport, SessionDescription offer)
    {
        MediaDescription first = offer.Media.FirstOrDefault(m => !m.IsRejected)
            ?? throw new SignalingException("Every m-section of the offer is rejected.");
        string? ufrag = first.IceUfrag ?? offer.IceUfrag;
        string? pwd = first.IcePwd ?? offer.IcePwd;
        Fingerprint? fingerprint = first.Fingerprint ?? offer.Fingerprint;
        DtlsSetup setup = first.Setup ?? offer.Setup ?? DtlsSetup.ActPass;
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd))
        {
            throw new SignalingException("The offer has no a=ice-ufrag / a=ice-pwd.");
        }

        if (fingerprint is null || !DtlsFingerprint.TryParse(fingerprint.Algorithm, fingerprint.Value, out DtlsFingerprint? parsed))
        {
            throw new SignalingException("The offer has no usable a=fingerprint (sha-256 expected).");
        }

        DtlsRole role = setup == DtlsSetup.Passive ? DtlsRole.Client : DtlsRole.Server;
        transport.Configure(ufrag, pwd, parsed, role);
    }

    /// <summary>
    /// A later offer with a new ice-ufrag or ice-pwd restarts ICE (RFC 8839 §4.4.1.1.1); the
    /// answer then carries new credentials of ours too, as that section requires.
    /// </summary>
    public static void RestartIceIfAsked(PeerTransport transport, SessionDescription offer)
    {
        MediaDescription? first = offer.Media.FirstOrDefault(m => !m.IsRejected);
        string? ufrag = first?.IceUfrag ?? offer.IceUfrag;
        string? pwd = first?.IcePwd ?? offer.IcePwd;
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd) || !transport.IsConfigured)
        {
            return;
        }

        if (!string.Equals(ufrag, transport.RemoteUfrag, StringComparison.Ordinal) || !string.Equals(pwd, transport.RemotePassword, StringComparison.Ordinal))
        {
            transport.RestartIce(ufrag, pwd);
        }
    }

    /// <summary>What we announce: our ICE credentials and candidate, fingerprint and DTLS role.</summary>
    public static LocalTransport Local(PeerTransport transport, MediaServices services)
        => new(
            transport.LocalIce.Ufrag,
            transport.LocalIce.Password,
            transport.FingerprintAlgorithm,
            transport.Fingerprint,
            transport.DtlsRole == DtlsRole.Client ? DtlsSetup.Active : DtlsSetup.Passive,
            services.AnnouncedAddress,
            services.AnnouncedPort(),
            services.AnnouncedTcpPort?.Invoke() ?? 0);
}
