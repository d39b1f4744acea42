using Org.BouncyCastle.Tls;
using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;

namespace Sfu.Core.Dtls;

/// <summary>The handshake driver: the worker thread that runs BouncyCastle's handshake and turns its outcome into a <see cref="DtlsHandshakeResult"/>.</summary>
public sealed partial class DtlsTransport
{
    /// <summary>
    /// Starts the handshake on a dedicated thread and completes when it succeeded or failed
    /// (timeout, cancellation, fingerprint mismatch, no common SRTP profile, peer alert, ...).
    /// The task never faults; inspect <see cref="DtlsHandshakeResult.Error"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called more than once.</exception>
    /// <exception cref="ObjectDisposedException">The transport was disposed.</exception>
    public Task<DtlsHandshakeResult> HandshakeAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_worker is not null)
            {
                throw new InvalidOperationException("The DTLS handshake was already started.");
            }

            _worker = Task.Factory.StartNew(
                () => Run(cancellationToken),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        return _handshake.Task;
    }

    private void Run(CancellationToken cancellationToken)
    {
        // A dedicated thread (LongRunning): named so an operator (and a test) sees how many
        // handshakes hold one. .NET names such threads ".NET Long Running Task" and lets them be renamed.
        Thread.CurrentThread.Name = HandshakeThreadName;
        Volatile.Write(ref _workerThreadId, Environment.CurrentManagedThreadId);
        try
        {
            BcDtlsTransport? connection = Handshake(cancellationToken);
            if (connection is not null)
            {
                _readSink = new byte[Math.Max(1, connection.GetReceiveLimit())];
                _established = true;
                if (_lifetime.IsCancellationRequested)
                {
                    // Dispose ran between the handshake and here, and may not have seen us established.
                    lock (_readGate)
                    {
                        _queue.Dispose();
                    }

                    RaiseClosed(ClosedReason(null));
                }
                else if (_queue.Count > 0)
                {
                    ScheduleRead();
                }
            }
        }
        catch (Exception e)
        {
            // Nothing may escape the worker; make sure the handshake task completes regardless.
            _handshake.TrySetResult(DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.ProtocolError, e.Message, null, TimeSpan.Zero));
        }
        finally
        {
            // An established association keeps its queue: later datagrams are read on the pool.
            if (!_established)
            {
                _queue.Dispose();
            }

            // The thread holds no handshake from here to its end: what /proc shows must say so,
            // or a count of handshake threads sees this one beside the one that took its turn.
            Thread.CurrentThread.Name = EndedThreadName;
        }
    }

    /// <summary>The name of the thread a handshake runs on (what /proc/&lt;pid&gt;/task/*/comm shows).</summary>
    public const string HandshakeThreadName = "dtls-handshake";

    /// <summary>The name a handshake thread takes once its handshake is over, for the moment before it ends.</summary>
    public const string EndedThreadName = "dtls-ended";

    /// <summary>
    /// Completes when the handshake's thread has finished its work (at once when no handshake
    /// was started): a bound on handshake threads must count a turn as held until then, not
    /// only until the result is known.
    /// </summary>
    public Task HandshakeThreadEnded
    {
        get
        {
            lock (_gate)
            {
                return _worker ?? Task.CompletedTask;
            }
        }
    }

    private BcDtlsTransport? Handshake(CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        BcDtlsTransport? connection = null;
        DtlsHandshakeResult result;

        using (var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _lifetime.Token))
        {
            _adapter.CancellationToken = linked.Token;
            try
            {
                connection = _role == DtlsRole.Server
                    ? new DtlsServerProtocol().Accept(new DtlsSrtpServer(_crypto, _state), _adapter)
                    : new DtlsClientProtocol().Connect(new DtlsSrtpClient(_crypto, _state), _adapter);
                result = _state.KeyingMaterial is null
                    ? DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.ProtocolError, "The handshake ended without SRTP keying material.", null, Elapsed(started))
                    : DtlsHandshakeResult.Success(_role, _state.Profile, _state.CipherSuite, _state.KeyingMaterial, Elapsed(started));
            }
            catch (Exception e)
            {
                result = Classify(e, timeout.IsCancellationRequested, Elapsed(started), cancellationToken);
            }

            // From here on only Dispose may interrupt a receive.
            _adapter.CancellationToken = _lifetime.Token;
        }

        if (!result.Succeeded)
        {
            CloseQuietly(connection);
            Publish(result);
            return null;
        }

        bool disposed;
        lock (_gate)
        {
            disposed = _disposed;
            if (!disposed)
            {
                _connection = connection;
            }
        }

        if (disposed)
        {
            // Dispose ran while we were finishing; it could not see the connection, so close it here.
            CloseQuietly(connection);
            Publish(DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.Disposed, "The transport was disposed.", null, result.Duration));
            return null;
        }

        Publish(result);
        return connection;
    }

    private void Publish(DtlsHandshakeResult result)
    {
        Volatile.Write(ref _result, result);
        _handshake.TrySetResult(result);
    }

    private DtlsHandshakeResult Classify(Exception e, bool timedOut, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        byte? sentAlert = e is TlsFatalAlert fatal ? (byte)fatal.AlertDescription : null;

        if (_state.Error != DtlsHandshakeError.None)
        {
            return DtlsHandshakeResult.Failure(_role, _state.Error, _state.ErrorMessage, sentAlert, elapsed);
        }

        int received = _state.FatalAlertReceived;
        if (received >= 0)
        {
            return DtlsHandshakeResult.Failure(
                _role,
                DtlsHandshakeError.AlertReceived,
                $"The peer aborted the handshake with fatal alert {AlertName((short)received)}.",
                (byte)received,
                elapsed);
        }

        if (_lifetime.IsCancellationRequested)
        {
            return DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.Disposed, "The transport was disposed during the handshake.", null, elapsed);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.Canceled, "The handshake was cancelled." + MalformedSummary(), null, elapsed);
        }

        if (timedOut || e is TlsTimeoutException)
        {
            return DtlsHandshakeResult.Failure(
                _role,
                DtlsHandshakeError.Timeout,
                $"No DTLS handshake within {_options.HandshakeTimeout.TotalSeconds:0.###} s.{MalformedSummary()}",
                null,
                elapsed);
        }

        string detail = (sentAlert is byte alert ? $"Handshake aborted ({AlertName(alert)}): {e.Message}" : "Handshake failed: " + e.Message) + MalformedSummary();
        return DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.ProtocolError, detail, sentAlert, elapsed);
    }

    private string MalformedSummary()
    {
        int count = MalformedDropped;
        return count == 0
            ? string.Empty
            : $" {count:N0} datagram(s) from the peer were dropped unread, the first for {DtlsDatagramFraming.Describe((DtlsFraming)Volatile.Read(ref _firstMalformed))}.";
    }

    private TimeSpan Elapsed(long handshakeStarted)
    {
        // Count from the first datagram so a server waiting for the ClientHello reports the real handshake time.
        long first = _adapter.FirstActivityTimestamp;
        return _time.GetElapsedTime(first != 0 ? first : handshakeStarted);
    }
}
