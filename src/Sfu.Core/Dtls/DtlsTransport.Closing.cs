using Org.BouncyCastle.Tls;
using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;

namespace Sfu.Core.Dtls;

/// <summary>Closing: our close_notify, the peer's close_notify or fatal alert, and the <see cref="Closed"/> event.</summary>
public sealed partial class DtlsTransport
{
    /// <summary>
    /// Raised once when an established association ends: the peer's close_notify or fatal alert,
    /// a local error, or our own <see cref="Close"/>. Runs on a thread-pool thread (or the
    /// caller of <see cref="Close"/>); exceptions thrown by handlers are swallowed. Not raised
    /// when the handshake fails.
    /// </summary>
    public event EventHandler<DtlsClosedEventArgs>? Closed;

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
}
