using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Sfu.Core.Srtp;

namespace Sfu.Core.Dtls;

/// <summary>
/// BouncyCastle client peer for WebRTC: DTLS 1.2 only, ECDHE_ECDSA suites, offers use_srtp with
/// our profiles in preference order, presents our certificate and checks the server's against
/// the SDP fingerprint.
/// </summary>
internal sealed class DtlsSrtpClient : DefaultTlsClient, TlsAuthentication
{
    private static readonly SignatureAndHashAlgorithm EcdsaSha256 = new(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private readonly BcTlsCrypto _crypto;
    private readonly DtlsHandshakeState _state;
    private readonly int[] _offered;
    private SrtpProfile _selected;

    public DtlsSrtpClient(BcTlsCrypto crypto, DtlsHandshakeState state)
        : base(crypto)
    {
        _crypto = crypto;
        _state = state;
        _offered = DtlsSrtpProfiles.ToWire(state.Profiles);
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

    // Identity comes from the fingerprint, not from the certificate's signature (RFC 8827 §6.5).
    public override bool ShouldCheckSigAlgOfPeerCerts() => false;

    /// <summary>RFC 5764 §4.1.1: offer our profiles, in preference order, with an empty MKI.</summary>
    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(_offered, TlsUtilities.EmptyBytes));
        return extensions;
    }

    /// <summary>
    /// RFC 5764 §4.1.1: the server answers with exactly one profile from our list. No answer means
    /// no SRTP keys, which is fatal for WebRTC; an answer we did not offer is illegal_parameter.
    /// </summary>
    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);

        UseSrtpData? answer = serverExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (answer is null)
        {
            _state.Fail(DtlsHandshakeError.NoCommonSrtpProfile, "The server did not negotiate use_srtp (RFC 5764 §4.1.1).");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, _state.ErrorMessage);
        }

        if (answer.ProtectionProfiles.Length != 1 || !_offered.AsSpan().Contains(answer.ProtectionProfiles[0]))
        {
            _state.Fail(DtlsHandshakeError.ProtocolError, "The server's use_srtp answer is not exactly one of the profiles we offered.");
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, _state.ErrorMessage);
        }

        _selected = (SrtpProfile)answer.ProtectionProfiles[0];
    }

    public override TlsAuthentication GetAuthentication() => this;

    public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => _state.CheckPeerCertificate(serverCertificate.Certificate);

    /// <summary>RFC 5763 §5: the client always presents its certificate.</summary>
    public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(m_context),
        _crypto,
        _state.LocalCertificate.PrivateKey,
        _state.LocalCertificate.CreateChain(_crypto),
        EcdsaSha256);

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

    protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) => [.. DtlsCipherSuites.NamedGroups];
}
