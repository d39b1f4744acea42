using System.Net;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Net;
using Sfu.Core.Srtp;

namespace Sfu.Core.Sessions;

/// <summary>DTLS for the transport: the handshake that keys SRTP (RFC 5764), and the peer closing it.</summary>
public sealed partial class PeerTransport
{
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

    /// <summary>A DTLS record from a bound address. Media path only (one thread at a time: its room's media gate).</summary>
    internal void OnDtls(ReadOnlySpan<byte> datagram, SocketAddress source, IDatagramPath path)
    {
        if (_dtls is null || _ice is null || !IsFromSelected(source, path))
        {
            _counters.Dropped(DropReason.UnselectedAddress);
            return;
        }

        if (!_dtls.EnqueueIncoming(datagram, out DtlsFraming framing))
        {
            if (framing == DtlsFraming.Ok)
            {
                _counters.Dropped(DropReason.DtlsQueueFull);
                return;
            }

            _counters.Dropped(DropReason.DtlsMalformed);
            // Once per peer: the rest are counted, and the handshake's failure names the first.
            if (_dtls.MalformedDropped == 1)
            {
                LogMalformedDtls(_logger, framing);
            }
        }
    }

    void IDtlsDatagramSender.Send(ReadOnlySpan<byte> datagram)
    {
        if (!_disposed)
        {
            SendSelected(datagram, DatagramPriority.Control);
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

    /// <summary>
    /// Runs the handshake when the server's <see cref="HandshakeGate"/> gives it a turn; the
    /// handshake timeout counts from the start of the wait, so a peer that never completes is
    /// freed at the timeout whether it waited or ran.
    /// </summary>
    private async Task RunHandshakeAsync(DtlsTransport dtls)
    {
        using var deadline = new CancellationTokenSource(_dtlsOptions.HandshakeTimeout, _time);
        DtlsGateResult turn = HandshakeGate is { } gate ? await gate.EnterAsync(deadline.Token).ConfigureAwait(false) : DtlsGateResult.Entered;
        if (turn != DtlsGateResult.Entered)
        {
            string why = turn == DtlsGateResult.Refused
                ? $"DTLS handshake refused: {HandshakeGate!.QueueLimit:N0} handshakes are waiting already (Sfu:Limits:DtlsHandshakeQueue)"
                : $"DTLS handshake timed out after {_dtlsOptions.HandshakeTimeout.TotalSeconds:0.#} s waiting for its turn";
            if (turn == DtlsGateResult.Refused)
            {
                _counters.Dropped(DropReason.DtlsBusy);
            }

            LogHandshakeFailed(_logger, why);
            if (!_disposed)
            {
                Failed?.Invoke(this, why);
            }

            return;
        }

        DtlsHandshakeResult result;
        try
        {
            result = await dtls.HandshakeAsync(deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            // The turn is the thread's, not only the handshake's: the next handshake gets a
            // thread once this one has stopped (the result comes a moment before).
            await dtls.HandshakeThreadEnded.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            HandshakeGate?.Exit();
        }

        if (_disposed)
        {
            return;
        }

        if (!result.Succeeded)
        {
            // Our own deadline cancels the handshake, so BouncyCastle reports a cancellation;
            // say what it was: the peer did not finish in time.
            string why = result.Error == DtlsHandshakeError.Canceled && deadline.IsCancellationRequested
                ? $"not finished within {_dtlsOptions.HandshakeTimeout.TotalSeconds:0.#} s ({result.ErrorMessage})"
                : result.ErrorMessage;
            LogHandshakeFailed(_logger, why);
            Failed?.Invoke(this, "DTLS handshake failed: " + why);
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

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "DTLS connected as {Role} with {Profile} in {Milliseconds:F1} ms")]
    private static partial void LogConnected(ILogger logger, DtlsRole role, SrtpProfile profile, double milliseconds);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "DTLS handshake failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "Dropped a badly framed DTLS datagram from the peer ({Framing}); the rest are counted as dtls_malformed")]
    private static partial void LogMalformedDtls(ILogger logger, DtlsFraming framing);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "DTLS closed by the peer: {Reason}")]
    private static partial void LogClosedByPeer(ILogger logger, string reason);
}
