using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;

namespace Sfu.Core.Dtls;

/// <summary>
/// One peer's DTLS 1.2 association for DTLS-SRTP (RFC 5763, RFC 5764, RFC 8827), run by
/// BouncyCastle on a dedicated worker thread for the handshake only.
/// </summary>
/// <remarks>
/// <para>Driving it from a UDP receive loop:</para>
/// <code>
/// var dtls = new DtlsTransport(cert, DtlsRole.Server, "sha-256", remoteFingerprint, sender);
/// dtls.Closed += (_, e) => ...;            // peer close_notify / fatal alert after the handshake
/// var handshake = dtls.HandshakeAsync(ct); // start once ICE has a pair
/// // receive loop, for datagrams whose first byte is 20..63 (RFC 7983 §7):
/// dtls.EnqueueIncoming(datagram);          // copies, never blocks or throws
/// DtlsHandshakeResult r = await handshake; // r.Succeeded ? r.Profile, r.LocalMasterKey... : r.Error
/// </code>
/// <para>
/// The worker runs BouncyCastle's blocking DtlsServerProtocol/DtlsClientProtocol; its receive
/// blocks on a bounded queue filled by <see cref="EnqueueIncoming"/> and its sends go to the
/// <see cref="IDtlsDatagramSender"/>. After a successful handshake the thread ends: a datagram
/// that arrives later is read on the thread pool, so a retransmitted final flight is still
/// answered (RFC 6347 §4.2.4) and close_notify or a fatal alert from the peer raises
/// <see cref="Closed"/>, but an established association holds no thread of its own.
/// Application data is ignored (no data channels). Every failure completes the handshake task
/// with a result, never an exception.
/// </para>
/// </remarks>
public sealed class DtlsTransport : IDisposable, IThreadPoolWorkItem
{
    /// <summary>Datagrams up to this size are accepted whatever our own MTU (the peer picks its own).</summary>
    internal const int MinReceiveLimit = 1500;

    private static readonly TimeSpan WorkerJoinTimeout = TimeSpan.FromSeconds(1);

    private readonly DtlsRole _role;
    private readonly TimeProvider _time;
    private readonly DtlsTransportOptions _options;
    private readonly DtlsDatagramQueue _queue;
    private readonly DtlsDatagramAdapter _adapter;
    private readonly DtlsHandshakeState _state;
    private readonly BcTlsCrypto _crypto;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();

    // Held while BouncyCastle reads after the handshake and while we close: its record layer
    // is not meant to be entered from two threads at once.
    private readonly Lock _readGate = new();
    private readonly TaskCompletionSource<DtlsHandshakeResult> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task? _worker;
    private int _workerThreadId;
    private BcDtlsTransport? _connection;
    private DtlsHandshakeResult? _result;
    private bool _disposed;
    private volatile bool _closingLocally;
    private int _closedRaised;
    private volatile bool _established;
    private byte[]? _readSink;
    private int _readScheduled;

    /// <summary>Creates a transport; nothing is sent until <see cref="HandshakeAsync"/>.</summary>
    /// <param name="local">Our certificate (shared per process).</param>
    /// <param name="role">Client or server, from the SDP setup attribute (RFC 5763 §5).</param>
    /// <param name="remoteFingerprintAlgorithm">Hash function of the peer's <c>a=fingerprint</c>, e.g. "sha-256".</param>
    /// <param name="remoteFingerprint">The peer's fingerprint, "AB:CD:..." (any case).</param>
    /// <param name="sender">Where our datagrams go.</param>
    /// <param name="time">Clock for the handshake timeout and duration; system clock by default.</param>
    /// <param name="mtu">Largest datagram we send; handshake messages are fragmented to fit.</param>
    /// <param name="options">Timeouts and SRTP profile preference.</param>
    /// <exception cref="ArgumentException">The fingerprint does not parse; validate SDP with <see cref="DtlsFingerprint.TryParse"/> first.</exception>
    public DtlsTransport(
        DtlsCertificate local,
        DtlsRole role,
        string remoteFingerprintAlgorithm,
        string remoteFingerprint,
        IDtlsDatagramSender sender,
        TimeProvider? time = null,
        int mtu = 1200,
        DtlsTransportOptions? options = null)
        : this(local, role, ParseFingerprint(remoteFingerprintAlgorithm, remoteFingerprint), sender, time, mtu, options)
    {
    }

    /// <summary>Creates a transport from an already parsed fingerprint.</summary>
    public DtlsTransport(
        DtlsCertificate local,
        DtlsRole role,
        DtlsFingerprint remoteFingerprint,
        IDtlsDatagramSender sender,
        TimeProvider? time = null,
        int mtu = 1200,
        DtlsTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        ArgumentNullException.ThrowIfNull(sender);

        // Below ~256 bytes a ClientHello fragment would not even carry its headers usefully.
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 256);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mtu, 65507);

        _role = role;
        _time = time ?? TimeProvider.System;
        _options = options ?? DtlsTransportOptions.Default;
        Mtu = mtu;
        int receiveLimit = Math.Max(mtu, MinReceiveLimit);
        _queue = new DtlsDatagramQueue(_options.ReceiveQueueCapacity, receiveLimit);
        _adapter = new DtlsDatagramAdapter(_queue, sender, _time, mtu, receiveLimit);
        _state = new DtlsHandshakeState(local, remoteFingerprint, _options);
        _crypto = new BcTlsCrypto(new SecureRandom());
    }

    /// <summary>
    /// Raised once when an established association ends: the peer's close_notify or fatal alert,
    /// a local error, or our own <see cref="Close"/>. Runs on a thread-pool thread (or the
    /// caller of <see cref="Close"/>); exceptions thrown by handlers are swallowed. Not raised
    /// when the handshake fails.
    /// </summary>
    public event EventHandler<DtlsClosedEventArgs>? Closed;

    /// <summary>The role we play.</summary>
    public DtlsRole Role => _role;

    /// <summary>Largest datagram we send.</summary>
    public int Mtu { get; }

    /// <summary>The handshake outcome once known, else null.</summary>
    public DtlsHandshakeResult? Result => Volatile.Read(ref _result);

    /// <summary>
    /// Hands a received datagram (one whose first byte is 20..63, RFC 7983 §7) to the DTLS thread.
    /// Copies it into a pooled buffer, so the caller may reuse its buffer at once. Returns false
    /// when it was dropped: queue full, transport closed, or empty/oversized datagram. Never
    /// blocks, never throws, allocates nothing beyond the pool.
    /// </summary>
    public bool EnqueueIncoming(ReadOnlySpan<byte> datagram)
    {
        if (!_queue.TryEnqueue(datagram))
        {
            return false;
        }

        if (_established)
        {
            ScheduleRead();
        }

        return true;
    }

    /// <summary>True while a thread of this transport's own runs (the handshake); false once established.</summary>
    internal bool HoldsThread => _worker is { IsCompleted: false };

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

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    public void Close() => Dispose();

    /// <summary>
    /// Sends close_notify if the association is up (RFC 5246 §7.2.1), aborts a running handshake,
    /// stops the worker (waiting briefly for it unless called from it) and returns pooled buffers.
    /// </summary>
    public void Dispose()
    {
        BcDtlsTransport? connection;
        Task? worker;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _closingLocally = true;
            connection = _connection;
            worker = _worker;
        }

        // close_notify first, so the wake-up below cannot make BouncyCastle send internal_error instead.
        lock (_readGate)
        {
            CloseQuietly(connection);
        }

        _lifetime.Cancel();

        if (worker is null)
        {
            _queue.Dispose();
            _handshake.TrySetResult(DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.Disposed, "The transport was disposed.", null, TimeSpan.Zero));
        }
        else if (Environment.CurrentManagedThreadId != Volatile.Read(ref _workerThreadId))
        {
            worker.Wait(WorkerJoinTimeout);
        }

        if (_established)
        {
            lock (_readGate)
            {
                _queue.Dispose();
            }

            RaiseClosed(ClosedReason(null));
        }
    }

    private static DtlsFingerprint ParseFingerprint(string algorithm, string value) =>
        DtlsFingerprint.TryParse(algorithm, value, out DtlsFingerprint? fingerprint)
            ? fingerprint
            : throw new ArgumentException($"'{algorithm} {value}' is not a valid SDP fingerprint (RFC 8122 §5).", nameof(value));

    private static void CloseQuietly(BcDtlsTransport? connection)
    {
        try
        {
            connection?.Close();
        }
        catch (Exception)
        {
            // Best effort: the peer may already be gone; consent freshness will notice.
        }
    }

    private static string AlertName(short description) => AlertDescription.GetText(description);

    private void Run(CancellationToken cancellationToken)
    {
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
            return DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.Canceled, "The handshake was cancelled.", null, elapsed);
        }

        if (timedOut || e is TlsTimeoutException)
        {
            return DtlsHandshakeResult.Failure(
                _role,
                DtlsHandshakeError.Timeout,
                $"No DTLS handshake within {_options.HandshakeTimeout.TotalSeconds:0.###} s.",
                null,
                elapsed);
        }

        string detail = sentAlert is byte alert ? $"Handshake aborted ({AlertName(alert)}): {e.Message}" : "Handshake failed: " + e.Message;
        return DtlsHandshakeResult.Failure(_role, DtlsHandshakeError.ProtocolError, detail, sentAlert, elapsed);
    }

    private void ScheduleRead()
    {
        if (Interlocked.CompareExchange(ref _readScheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            ReadQueued();
            Volatile.Write(ref _readScheduled, 0);

            // A datagram queued after the last read but before the flag cleared found a read
            // still scheduled and did not schedule another: look once more.
            if (_disposed || _queue.Count == 0 || Interlocked.CompareExchange(ref _readScheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Lets BouncyCastle read what the peer sent after the handshake: it answers a retransmitted
    /// final flight (RFC 6347 §4.2.4) and processes alerts. Application data is dropped.
    /// </summary>
    private void ReadQueued()
    {
        DtlsClosedEventArgs? closed = null;
        lock (_readGate)
        {
            BcDtlsTransport? connection;
            lock (_gate)
            {
                connection = _disposed ? null : _connection;
            }

            if (connection is null)
            {
                return;
            }

            byte[] sink = _readSink!;
            try
            {
                while (_queue.Count > 0)
                {
                    // The datagram is already queued: BouncyCastle takes it at once and, when it
                    // held no application data, returns -1 after a wait of 1 ms for more.
                    connection.Receive(sink, 0, sink.Length, 1);
                    if (_state.CloseNotifyReceived || _state.FatalAlertReceived >= 0)
                    {
                        closed = ClosedReason(null);
                        break;
                    }
                }
            }
            catch (Exception e)
            {
                closed = ClosedReason(e);
            }

            if (closed is not null)
            {
                // Nothing more will be read: stop accepting datagrams.
                _queue.Dispose();
                if (closed.Reason != DtlsCloseReason.LocalClose)
                {
                    // The peer is gone: make Dispose a formality.
                    lock (_gate)
                    {
                        _connection = null;
                    }
                }
            }
        }

        if (closed is not null)
        {
            RaiseClosed(closed);
        }
    }

    private DtlsClosedEventArgs ClosedReason(Exception? e)
    {
        // Checked first: after our close_notify the peer answers with its own, which is not the cause.
        if (_closingLocally)
        {
            return new DtlsClosedEventArgs(DtlsCloseReason.LocalClose, "Closed locally.", null);
        }

        int alert = _state.FatalAlertReceived;
        if (alert >= 0)
        {
            return new DtlsClosedEventArgs(DtlsCloseReason.PeerFatalAlert, $"The peer sent fatal alert {AlertName((short)alert)}.", (byte)alert);
        }

        if (_state.CloseNotifyReceived)
        {
            return new DtlsClosedEventArgs(DtlsCloseReason.PeerCloseNotify, "The peer sent close_notify.", null);
        }

        return new DtlsClosedEventArgs(DtlsCloseReason.Error, e?.Message ?? "The DTLS association ended.", null);
    }

    private void RaiseClosed(DtlsClosedEventArgs args)
    {
        if (Interlocked.Exchange(ref _closedRaised, 1) != 0)
        {
            return;
        }

        try
        {
            Closed?.Invoke(this, args);
        }
        catch (Exception)
        {
            // A faulty handler must not take the worker thread (and the process) down.
        }
    }

    private TimeSpan Elapsed(long handshakeStarted)
    {
        // Count from the first datagram so a server waiting for the ClientHello reports the real handshake time.
        long first = _adapter.FirstActivityTimestamp;
        return _time.GetElapsedTime(first != 0 ? first : handshakeStarted);
    }
}
