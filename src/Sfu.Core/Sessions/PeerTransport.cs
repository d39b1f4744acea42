using System.Net;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Net;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;
using Sfu.Core.Stun;

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

    // ICE agent state changes on STUN checks (receive loop) and on a restart (signaling):
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

    /// <summary>
    /// Why the peer ended the DTLS association (close_notify or a fatal alert), once it has;
    /// else null. Its media cannot continue: the session is over without waiting for consent
    /// to run out (RFC 5246 §7.2.1).
    /// </summary>
    public string? ClosedByPeer { get; private set; }

    private void OnDtlsClosed(object? sender, DtlsClosedEventArgs e)
    {
        if (e.Reason is DtlsCloseReason.PeerCloseNotify or DtlsCloseReason.PeerFatalAlert)
        {
            ClosedByPeer = e.Message;
            LogClosedByPeer(_logger, e.Message);
        }
    }

    /// <summary>
    /// An ICE restart (RFC 8445 §9): the peer offered new credentials, so we answer with new
    /// ones of ours. DTLS and SRTP go on untouched and media keeps its path until the peer
    /// nominates another; checks with the ufrag from before are still answered until the next
    /// restart. Signaling side.
    /// </summary>
    public void RestartIce(string remoteUfrag, string remotePassword)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IceCredentials local = _directory.IssueCredentials(this);
        string? retired;
        lock (_iceGate)
        {
            IceLiteAgent current = _ice ?? throw new InvalidOperationException("ICE restarts after the first offer or answer.");
            retired = PreviousLocalUfrag;
            PreviousLocalUfrag = LocalIce.Ufrag;
            LocalIce = local;
            RemoteUfrag = remoteUfrag;
            RemotePassword = remotePassword;
            _ice = current.Restart(local, remoteUfrag);
        }

        if (retired is not null)
        {
            _directory.RetireUfrag(retired, this);
        }

        LogIceRestart(_logger, local.Ufrag);
    }

    /// <summary>An ICE check routed here by USERNAME or by source address. Receive loop only.</summary>
    internal void OnStun(in StunMessage message, SocketAddress source)
    {
        IceLiteAgent? ice = _ice;
        if (ice is null)
        {
            _counters.Dropped(DropReason.NotReady);
            return;
        }

        SocketAddress? before;
        SocketAddress? selected;
        IceCheckOutcome outcome;
        int responseLength;
        lock (_iceGate)
        {
            ice = _ice!;
            before = ice.SelectedAddress;
            outcome = ice.ProcessBindingRequest(message, source, _stunResponse, out responseLength);
            selected = ice.SelectedAddress;
        }

        if (responseLength > 0)
        {
            _port.SendTo(_stunResponse.AsSpan(0, responseLength), source);
        }

        switch (outcome)
        {
            case IceCheckOutcome.Accepted:
            case IceCheckOutcome.Nominated:
                _counters.StunAnswered();
                break;
            case IceCheckOutcome.Unauthorized:
                _counters.Dropped(DropReason.StunUnauthorized);
                return;
            default:
                _counters.Dropped(DropReason.Malformed);
                return;
        }

        if (selected is not null && !ReferenceEquals(before, selected))
        {
            _directory.Bind(selected, this);
            StartHandshake();
        }
    }

    /// <summary>A DTLS record from a bound address. Receive loop only.</summary>
    internal void OnDtls(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (_dtls is null || _ice is null || !_ice.IsFromSelected(source))
        {
            _counters.Dropped(DropReason.UnselectedAddress);
            return;
        }

        if (!_dtls.EnqueueIncoming(datagram))
        {
            _counters.Dropped(DropReason.DtlsQueueFull);
        }
    }

    /// <summary>An SRTP or SRTCP packet from a bound address. Receive loop only.</summary>
    internal void OnSrtp(Span<byte> datagram, SocketAddress source, Span<byte> scratch)
    {
        SrtpContext? inbound = _inbound;
        if (!_connected || inbound is null)
        {
            _counters.Dropped(DropReason.NotReady);
            return;
        }

        if (!_ice!.IsFromSelected(source))
        {
            _counters.Dropped(DropReason.UnselectedAddress);
            return;
        }

        if (PacketClassifier.IsRtcp(datagram))
        {
            SrtpResult rtcpResult = inbound.UnprotectRtcp(datagram, out int rtcpLength);
            if (rtcpResult != SrtpResult.Ok)
            {
                _counters.Dropped(DropOf(rtcpResult));
                return;
            }

            _sink?.OnRtcp(datagram[..rtcpLength], scratch);
            return;
        }

        SrtpResult result = inbound.UnprotectRtp(datagram, out int length);
        if (result != SrtpResult.Ok)
        {
            _counters.Dropped(DropOf(result));
            return;
        }

        ReadOnlySpan<byte> packet = datagram[..length];
        if (RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            _counters.Dropped(DropReason.Malformed);
            return;
        }

        _sink?.OnRtp(packet, view, scratch);
    }

    /// <summary>
    /// Protects a plain RTP packet in place (the buffer has room for the tag) and sends it.
    /// Receive loop only: the outbound RTP context has one owner.
    /// </summary>
    public bool SendRtp(Span<byte> buffer, int length)
    {
        SrtpContext? outbound = _outboundRtp;
        SocketAddress? remote = RemoteAddress;
        if (outbound is null || remote is null)
        {
            return false;
        }

        if (outbound.ProtectRtp(buffer, length, out int protectedLength) != SrtpResult.Ok)
        {
            return false;
        }

        return _port.SendTo(buffer[..protectedLength], remote);
    }

    /// <summary>Protects and sends one plain RTCP compound packet. Any thread.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> compound)
    {
        SocketAddress? remote = RemoteAddress;
        if (!_connected || remote is null || compound.Length > UdpMediaPort.ReceiveBufferSize)
        {
            return false;
        }

        lock (_rtcpGate)
        {
            SrtpContext? outbound = _outboundRtcp;
            if (outbound is null)
            {
                return false;
            }

            compound.CopyTo(_rtcpBuffer);
            if (outbound.ProtectRtcp(_rtcpBuffer, compound.Length, out int protectedLength) != SrtpResult.Ok)
            {
                return false;
            }

            return _port.SendTo(_rtcpBuffer.AsSpan(0, protectedLength), remote);
        }
    }

    void IDtlsDatagramSender.Send(ReadOnlySpan<byte> datagram)
    {
        SocketAddress? remote = RemoteAddress;
        if (remote is not null && !_disposed)
        {
            _port.SendTo(datagram, remote);
        }
    }

    private void StartHandshake()
    {
        if (Interlocked.Exchange(ref _handshakeStarted, 1) != 0 || _dtls is null)
        {
            return;
        }

        _ = RunHandshakeAsync(_dtls);
    }

    private async Task RunHandshakeAsync(DtlsTransport dtls)
    {
        DtlsHandshakeResult result = await dtls.HandshakeAsync(CancellationToken.None).ConfigureAwait(false);
        if (_disposed)
        {
            return;
        }

        if (!result.Succeeded)
        {
            LogHandshakeFailed(_logger, result.ErrorMessage);
            Failed?.Invoke(this, "DTLS handshake failed: " + result.ErrorMessage);
            return;
        }

        HandshakeDuration = result.Duration;
        InstallSrtp(result.Profile, result.LocalMasterKey.Span, result.LocalMasterSalt.Span, result.RemoteMasterKey.Span, result.RemoteMasterSalt.Span);
        LogConnected(_logger, result.Role, result.Profile, result.Duration.TotalMilliseconds);
        Connected?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>
    /// Installs the SRTP contexts keyed by DTLS (RFC 5764 §4.2) and opens the media path.
    /// Internal so benchmarks can drive the real packet path with fixed keys.
    /// </summary>
    internal void InstallSrtp(SrtpProfile profile, ReadOnlySpan<byte> localKey, ReadOnlySpan<byte> localSalt, ReadOnlySpan<byte> remoteKey, ReadOnlySpan<byte> remoteSalt)
    {
        SrtpProfile = profile;
        _inbound = SrtpContext.Create(profile, remoteKey, remoteSalt);
        _outboundRtp = SrtpContext.Create(profile, localKey, localSalt);
        _outboundRtcp = SrtpContext.Create(profile, localKey, localSalt);
        _connected = true;
    }

    private static DropReason DropOf(SrtpResult result) => result switch
    {
        SrtpResult.AuthenticationFailed => DropReason.SrtpAuth,
        SrtpResult.ReplayDuplicate or SrtpResult.ReplayTooOld => DropReason.Replay,
        _ => DropReason.Malformed,
    };

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

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "DTLS connected as {Role} with {Profile} in {Milliseconds:F1} ms")]
    private static partial void LogConnected(ILogger logger, DtlsRole role, SrtpProfile profile, double milliseconds);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "DTLS handshake failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "DTLS closed by the peer: {Reason}")]
    private static partial void LogClosedByPeer(ILogger logger, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "ICE restart: our new ufrag is {Ufrag}")]
    private static partial void LogIceRestart(ILogger logger, string ufrag);
}
