using Org.BouncyCastle.Tls;

namespace Sfu.Core.Dtls;

/// <summary>
/// BouncyCastle's view of the network: <see cref="Receive(Span{byte}, int)"/> blocks on the
/// <see cref="DtlsDatagramQueue"/> fed by the UDP receive loop, <see cref="Send(ReadOnlySpan{byte})"/>
/// goes straight to the <see cref="IDtlsDatagramSender"/>. Used only by the transport's worker thread
/// (plus <see cref="Send(ReadOnlySpan{byte})"/> from Close, serialised by BouncyCastle's write lock).
/// </summary>
internal sealed class DtlsDatagramAdapter : DatagramTransport
{
    private readonly DtlsDatagramQueue _queue;
    private readonly IDtlsDatagramSender _sender;
    private readonly TimeProvider _time;
    private readonly int _sendLimit;
    private readonly int _receiveLimit;
    private long _firstActivity;
    private volatile bool _closed;

    public DtlsDatagramAdapter(DtlsDatagramQueue queue, IDtlsDatagramSender sender, TimeProvider time, int sendLimit, int receiveLimit)
    {
        _queue = queue;
        _sender = sender;
        _time = time;
        _sendLimit = sendLimit;
        _receiveLimit = receiveLimit;
    }

    /// <summary>Cancels a blocked receive; swapped from the handshake token to the lifetime token after the handshake.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Timestamp of the first datagram sent or received, 0 if none yet.</summary>
    public long FirstActivityTimestamp => Volatile.Read(ref _firstActivity);

    /// <summary>Largest datagram BouncyCastle may ask us to receive.</summary>
    public int GetReceiveLimit() => _receiveLimit;

    /// <summary>Largest datagram BouncyCastle may send; it fragments handshake messages to fit (RFC 6347 §4.2.3).</summary>
    public int GetSendLimit() => _sendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>
    /// Returns the datagram's length, or -1 when <paramref name="waitMillis"/> (0 = forever)
    /// passed with nothing received, which BouncyCastle treats as a retransmission tick.
    /// Throws once we are closed or cancelled, so BouncyCastle's loops end instead of spinning.
    /// </summary>
    /// <exception cref="IOException">The transport was closed or the wait was cancelled.</exception>
    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (_closed)
        {
            throw new IOException("DTLS transport is closed.");
        }

        switch (_queue.Dequeue(buffer, waitMillis, CancellationToken, out int length))
        {
            case DtlsDequeueStatus.Datagram:
                MarkActivity();
                return length;
            case DtlsDequeueStatus.Timeout:
                return -1;
            case DtlsDequeueStatus.Canceled:
                throw new IOException("DTLS receive was cancelled.");
            default:
                throw new IOException("DTLS transport is closed.");
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        MarkActivity();
        _sender.Send(buffer);
    }

    /// <summary>Called by BouncyCastle after it sent close_notify or a fatal alert.</summary>
    public void Close() => _closed = true;

    private void MarkActivity() => Interlocked.CompareExchange(ref _firstActivity, _time.GetTimestamp(), 0);
}
