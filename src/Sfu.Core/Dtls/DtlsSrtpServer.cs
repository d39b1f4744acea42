using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Sfu.Core.Srtp;

namespace Sfu.Core.Dtls;

/// <summary>
/// BouncyCastle server peer for WebRTC: DTLS 1.2 only, ECDHE_ECDSA suites, mandatory client
/// certificate checked against the SDP fingerprint, and use_srtp with our profile preference.
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private static readonly SignatureAndHashAlgorithm EcdsaSha256 = new(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private readonly BcTlsCrypto _crypto;
    private readonly DtlsHandshakeState _state;
    private SrtpProfile _selected;

    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsHandshakeState state)
        : base(crypto)
    {
        _crypto = crypto;
        _state = state;
    }

    // RFC 6347 §4.1.2.7: invalid records are silently discarded rather than killing the association.
    public override bool IgnoreCorruptDtlsRecords => true;

    public override int GetHandshakeTimeoutMillis() => _state.HandshakeTimeoutMillis;

    /// <summary>
    /// BouncyCastle ignores handshake fragments claiming a longer message, also inside encrypted
    /// records that <see cref="DtlsDatagramFraming"/> cannot read: the same bound for both.
    /// </summary>
    public override int GetMaxHandshakeMessageSize() => DtlsDatagramFraming.MaxHandshakeMessageLength;

    public override int GetHandshakeResendTimeMillis() => _state.InitialResendMillis;

    public override int[] GetSupportedGroups() => [.. DtlsCipherSuites.NamedGroups];

    // Identity comes from the fingerprint, not from the certificate's signature (RFC 8827 §6.5).
    public override bool ShouldCheckSigAlgOfPeerCerts() => false;

    /// <summary>
    /// RFC 5764 §4.1.1: pick one profile from the client's use_srtp list. WebRTC cannot work
    /// without SRTP keys, so a client without use_srtp or without a common profile fails the
    /// handshake (handshake_failure) instead of falling back to plain DTLS.
    /// </summary>
    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);

        UseSrtpData? offer = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (offer is null)
        {
            _state.Fail(DtlsHandshakeError.NoCommonSrtpProfile, "The client did not offer the use_srtp extension (RFC 5764 §4.1.1).");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, _state.ErrorMessage);
        }

        _selected = DtlsSrtpProfiles.Select(_state.Profiles, offer.ProtectionProfiles);
        if (_selected == SrtpProfile.None)
        {
            _state.Fail(
                DtlsHandshakeError.NoCommonSrtpProfile,
                $"No common SRTP profile: the client offered [{FormatProfiles(offer.ProtectionProfiles)}], we accept [{FormatProfiles(DtlsSrtpProfiles.ToWire(_state.Profiles))}].");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, _state.ErrorMessage);
        }
    }

    /// <summary>Answers use_srtp with the single chosen profile and an empty MKI (RFC 5764 §4.1.1).</summary>
    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = base.GetServerExtensions();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)_selected], TlsUtilities.EmptyBytes));
        return extensions;
    }

    /// <summary>RFC 5763 §5: the server MUST request a client certificate.</summary>
    public override CertificateRequest GetCertificateRequest() => new(
        [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
        TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context),
        null);

    public override void NotifyClientCertificate(Certificate clientCertificate) => _state.CheckPeerCertificate(clientCertificate);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        _state.AlertReceived(alertLevel, alertDescription);
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _state.Complete(m_context, _selected);
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, DtlsCipherSuites.Preferred);

    // Our order (AEAD first) wins over the client's.
    protected override bool PreferLocalCipherSuites() => true;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(m_context),
        _crypto,
        _state.LocalCertificate.PrivateKey,
        _state.LocalCertificate.CreateChain(_crypto),
        EcdsaSha256);

    private static string FormatProfiles(int[] profiles) =>
        string.Join(", ", Array.ConvertAll(profiles, p => "0x" + p.ToString("X4", System.Globalization.CultureInfo.InvariantCulture)));
}
