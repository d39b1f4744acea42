using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;

namespace Sfu.Core.Dtls;

/// <summary>The incoming side: datagrams from the media threads, and reading them on the thread pool once the association is established.</summary>
public sealed partial class DtlsTransport
{
    /// <summary>
    /// Hands a received datagram (one whose first byte is 20..63, RFC 7983 §7) to the DTLS thread.
    /// Copies it into a pooled buffer, so the caller may reuse its buffer at once. Returns false
    /// when it was dropped: badly framed (see <see cref="DtlsDatagramFraming"/>), queue full,
    /// transport closed, or empty/oversized datagram. Never blocks, never throws, allocates
    /// nothing beyond the pool.
    /// </summary>
    public bool EnqueueIncoming(ReadOnlySpan<byte> datagram) => EnqueueIncoming(datagram, out _);

    /// <summary>As <see cref="EnqueueIncoming(ReadOnlySpan{byte})"/>; <paramref name="framing"/> says whether a drop was for bad framing.</summary>
    public bool EnqueueIncoming(ReadOnlySpan<byte> datagram, out DtlsFraming framing)
    {
        framing = DtlsDatagramFraming.Check(datagram);
        if (framing != DtlsFraming.Ok)
        {
            // Remembered for the handshake's failure message: a peer whose every flight is
            // dropped here times out, and the operator should read why.
            Interlocked.CompareExchange(ref _firstMalformed, (int)framing, 0);
            Interlocked.Increment(ref _malformed);
            return false;
        }

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

    /// <summary>Datagrams dropped so far for their framing.</summary>
    public int MalformedDropped => Volatile.Read(ref _malformed);

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
}
