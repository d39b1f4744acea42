using System.Net;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Net;
using Sfu.Core.Srtp;

namespace Sfu.Core.Sessions;

/// <summary>
/// ICE-lite, DTLS and SRTP for one peer over the shared media port. Datagrams arrive in a
/// fixed order of checks (mediasoup's OnPacketReceived is the model): STUN is answered by the
/// ICE agent; DTLS only from the selected address; SRTP/SRTCP only once keys exist and only
/// from the selected address; anything else is dropped and counted.
/// </summary>
public sealed partial class PeerTransport : IDtlsDatagramSender, IRtcpSender, IDisposable
{
    private const int StunResponseSize = 256;

    private readonly IDatagramPort _port;
    private readonly IPeerDirectory _directory;
    private readonly DtlsCertificate _certificate;
    private readonly MediaCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _consentTimeout;
    private readonly DtlsTransportOptions _dtlsOptions;
    private readonly Lock _rtcpGate = new();

    // ICE agent state changes on STUN checks (media path) and on a restart (signaling):
    // both take this lock, so a restart never copies state a check is changing. Media packets
    // only read the agent's selected address, a single reference.
    private readonly Lock _iceGate = new();
    private readonly byte[] _rtcpBuffer = new byte[UdpMediaPort.ReceiveBufferSize + SrtpContext.MaxRtcpOverhead];
    private readonly byte[] _stunResponse = new byte[StunResponseSize];

    private volatile IceLiteAgent? _ice;
    private DtlsTransport? _dtls;
    private DtlsRole _dtlsRole;
    private SrtpContext? _inbound;
    private SrtpContext? _outboundRtp;
    private SrtpContext? _outboundRtcp;
    private volatile bool _connected;
    private volatile bool _disposed;
    private int _handshakeStarted;
    private IPeerMediaSink? _sink;

    public PeerTransport(
        IceCredentials localIce,
        DtlsCertificate certificate,
        IDatagramPort port,
        IPeerDirectory directory,
        MediaCounters counters,
        TimeProvider time,
        ILogger logger,
        TimeSpan consentTimeout,
        DtlsTransportOptions? dtlsOptions = null)
    {
        LocalIce = localIce;
        _certificate = certificate;
        _port = port;
        _directory = directory;
        _counters = counters;
        _time = time;
        _logger = logger;
        _consentTimeout = consentTimeout;
        _dtlsOptions = dtlsOptions ?? DtlsTransportOptions.Default;
        CreatedAt = time.GetTimestamp();
    }

    /// <summary>Our ICE credentials: new ones after each ICE restart.</summary>
    public IceCredentials LocalIce { get; private set; }

    /// <summary>Our ufrag before the last ICE restart (still routed here until the next restart), else null.</summary>
    public string? PreviousLocalUfrag { get; private set; }

    /// <summary>The peer's a=ice-ufrag and a=ice-pwd as last applied (null before the first offer or answer).</summary>
    public string? RemoteUfrag { get; private set; }

    /// <inheritdoc cref="RemoteUfrag"/>
    public string? RemotePassword { get; private set; }

    public string FingerprintAlgorithm => _certificate.FingerprintAlgorithm;

    public string Fingerprint => _certificate.Fingerprint;

    public bool IsConnected => _connected;

    public bool IsConfigured => _ice is not null;

    public DtlsRole DtlsRole => _dtlsRole;

    public SrtpProfile SrtpProfile { get; private set; }

    public TimeSpan? HandshakeDuration { get; private set; }

    public long CreatedAt { get; }

    /// <summary>The remote address media goes to: the ICE agent's selected pair.</summary>
    public SocketAddress? RemoteAddress => _ice?.SelectedAddress;

    /// <summary>The transport of the selected pair (null before ICE selects one): UDP, or an ICE-TCP connection.</summary>
    public TransportProtocol? SelectedProtocol => _ice?.Selection is { } selection ? (selection.Path ?? _port).Protocol : null;

    public bool IsDisposed => _disposed;

    /// <summary>
    /// Sends over the selected pair: its TCP connection, or the UDP port. Any thread; the
    /// selection is read once, so address and path always belong together.
    /// </summary>
    private bool SendSelected(ReadOnlySpan<byte> datagram, DatagramPriority priority)
    {
        IceSelection? selection = _ice?.Selection;
        if (selection is null)
        {
            return false;
        }

        return (selection.Path ?? _port).SendTo(datagram, selection.Address, priority);
    }

    /// <summary>
    /// True when the peer has not proven it is there for longer than the consent timeout
    /// (RFC 7675 §5.1), or never completed ICE in that time.
    /// </summary>
    public bool IsConsentExpired
    {
        get
        {
            if (_ice is null || _ice.SelectedAddress is null)
            {
                return _time.GetElapsedTime(CreatedAt) > _consentTimeout;
            }

            return _ice.IsConsentExpired();
        }
    }

    /// <summary>Where its DTLS handshake waits for a turn; null: it runs at once.</summary>
    public DtlsHandshakeGate? HandshakeGate { get; init; }

    /// <summary>What this peer may send us per second; null: no bound.</summary>
    public IngressLimiter? Ingress { get; init; }

    /// <summary>
    /// The lock every datagram of this peer is handled under, on whichever media thread it
    /// arrived: its room's, since a packet from one member reaches every other member's state.
    /// A transport made alone (a test) has its own.
    /// </summary>
    public Lock MediaGate { get; init; } = new();

    public void AttachSink(IPeerMediaSink sink) => _sink = sink;

    /// <summary>DTLS completed and SRTP keys are installed: media can flow both ways.</summary>
    public event EventHandler? Connected;

    /// <summary>The transport failed for good (the DTLS handshake failed); the argument says why.</summary>
    public event EventHandler<string>? Failed;

    /// <summary>
    /// Applies the remote peer's transport parameters from its first offer or answer: ICE
    /// credentials, certificate fingerprint and our DTLS role. The handshake starts when ICE
    /// first selects an address (RFC 8445 §8.1 then RFC 5763 §5): before that there is no
    /// one to send to, and its timeout should count from a working path.
    /// </summary>
    public void Configure(string remoteUfrag, string remotePassword, DtlsFingerprint remoteFingerprint, DtlsRole role)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ice is not null)
        {
            return;
        }

        RemoteUfrag = remoteUfrag;
        RemotePassword = remotePassword;
        _dtlsRole = role;
        _dtls = new DtlsTransport(_certificate, role, remoteFingerprint, this, _time, options: _dtlsOptions);
        _dtls.Closed += OnDtlsClosed;
        _ice = new IceLiteAgent(LocalIce, remoteUfrag, _time, _consentTimeout);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _connected = false;
        _directory.UnbindAll(this);
        _dtls?.Dispose();
        lock (_rtcpGate)
        {
            _outboundRtcp?.Dispose();
            _outboundRtcp = null;
        }
    }
}
