using Org.BouncyCastle.Tls;
using Sfu.Core.Srtp;

namespace Sfu.Core.Dtls;

/// <summary>
/// What our BouncyCastle peer (<see cref="DtlsSrtpServer"/> or <see cref="DtlsSrtpClient"/>)
/// needs to know and what it found out. BouncyCastle reports failures as bare alerts; the
/// peer records the real reason here before throwing so the caller gets more than
/// "bad_certificate". Written on the worker thread; the close flags are read across threads.
/// </summary>
internal sealed class DtlsHandshakeState
{
    private volatile bool _closeNotifyReceived;
    private volatile int _fatalAlertReceived = -1;

    public DtlsHandshakeState(DtlsCertificate localCertificate, DtlsFingerprint remoteFingerprint, DtlsTransportOptions options)
    {
        LocalCertificate = localCertificate;
        RemoteFingerprint = remoteFingerprint;
        Profiles = options.SrtpProfiles;
        HandshakeTimeoutMillis = ToMillis(options.HandshakeTimeout);
        InitialResendMillis = ToMillis(options.InitialRetransmitTimeout);
    }

    public DtlsCertificate LocalCertificate { get; }

    public DtlsFingerprint RemoteFingerprint { get; }

    public IReadOnlyList<SrtpProfile> Profiles { get; }

    public int HandshakeTimeoutMillis { get; }

    public int InitialResendMillis { get; }

    /// <summary>The first failure a peer callback detected, or None.</summary>
    public DtlsHandshakeError Error { get; private set; }

    public string ErrorMessage { get; private set; } = string.Empty;

    public SrtpProfile Profile { get; private set; }

    public int CipherSuite { get; private set; }

    public byte[]? KeyingMaterial { get; private set; }

    public bool CloseNotifyReceived => _closeNotifyReceived;

    /// <summary>Alert description of a fatal alert the peer sent, or -1.</summary>
    public int FatalAlertReceived => _fatalAlertReceived;

    /// <summary>Remembers the first failure; later ones are consequences of it.</summary>
    public void Fail(DtlsHandshakeError error, string message)
    {
        if (Error == DtlsHandshakeError.None)
        {
            Error = error;
            ErrorMessage = message;
        }
    }

    /// <summary>
    /// RFC 5763 §5 / RFC 8827 §6.5: both sides present certificates and each checks the other's
    /// against the fingerprint from the signalling channel; there is no CA validation. A missing
    /// certificate or a mismatch aborts the handshake (RFC 5246 §7.2.2 bad_certificate).
    /// </summary>
    /// <exception cref="TlsFatalAlert">Always, unless the certificate matches.</exception>
    public void CheckPeerCertificate(Certificate? chain)
    {
        if (chain is null || chain.IsEmpty)
        {
            Fail(DtlsHandshakeError.MissingPeerCertificate, "The peer sent no certificate; WebRTC requires one (RFC 5763 §5).");
            throw new TlsFatalAlert(AlertDescription.handshake_failure, ErrorMessage);
        }

        byte[] der = chain.GetCertificateAt(0).GetEncoded();
        if (!RemoteFingerprint.Matches(der))
        {
            DtlsFingerprint actual = DtlsFingerprint.Compute(RemoteFingerprint.Algorithm, der);
            Fail(
                DtlsHandshakeError.FingerprintMismatch,
                $"The peer's certificate has fingerprint {actual} but the SDP announced {RemoteFingerprint}.");
            throw new TlsFatalAlert(AlertDescription.bad_certificate, ErrorMessage);
        }
    }

    /// <summary>
    /// Captures the outcome while BouncyCastle's security parameters still exist (they are
    /// cleared when Accept/Connect returns). RFC 5764 §4.2: the SRTP keys come from the TLS
    /// exporter with label "EXTRACTOR-dtls_srtp", no context, 2 * (key + salt) bytes.
    /// </summary>
    public void Complete(TlsContext context, SrtpProfile profile)
    {
        Profile = profile;
        CipherSuite = context.SecurityParameters.CipherSuite;
        KeyingMaterial = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, DtlsSrtpProfiles.KeyingMaterialLength(profile));
    }

    /// <summary>Records alerts from the peer so the worker can report why it stopped.</summary>
    public void AlertReceived(short level, short description)
    {
        if (level == AlertLevel.fatal)
        {
            _fatalAlertReceived = description;
        }
        else if (description == AlertDescription.close_notify)
        {
            _closeNotifyReceived = true;
        }
    }

    private static int ToMillis(TimeSpan value) =>
        (int)Math.Clamp(Math.Ceiling(value.TotalMilliseconds), 1, int.MaxValue);
}
