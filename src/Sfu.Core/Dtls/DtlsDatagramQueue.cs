using System.Buffers;

namespace Sfu.Core.Dtls;

/// <summary>
/// Bounded hand-off of received datagrams from the UDP receive loop (many producers, never
/// blocked) to the DTLS worker thread (one consumer, blocks with a timeout). Each datagram is
/// copied into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, so the socket's buffer
/// can be reused immediately; the buffer goes back to the pool once the consumer copied it out
/// or the queue is closed. When full we drop: DTLS retransmits (RFC 6347 §4.2.4), and a peer
/// that floods us must not grow our memory.
/// </summary>
internal sealed class DtlsDatagramQueue : IDisposable
{
    private readonly Lock _gate = new();
    private readonly byte[]?[] _buffers;
    private readonly int[] _lengths;
    private readonly int _maxDatagramLength;

    // Counts queued datagrams plus one extra release on Close so a blocked consumer wakes up.
    private readonly SemaphoreSlim _available = new(0);
    private int _head;
    private int _count;
    private bool _closed;
    private bool _disposed;

    public DtlsDatagramQueue(int capacity, int maxDatagramLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagramLength, 1);
        _buffers = new byte[]?[capacity];
        _lengths = new int[capacity];
        _maxDatagramLength = maxDatagramLength;
    }

    /// <summary>Datagrams currently waiting.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>True once <see cref="Close"/> ran.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="datagram"/> in. False (and nothing kept) when the queue is full or
    /// closed, or the datagram is empty or larger than the receive limit. Never blocks, never throws.
    /// </summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.Length > _maxDatagramLength)
        {
            return false;
        }

        lock (_gate)
        {
            if (_closed || _count == _buffers.Length)
            {
                return false;
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
            datagram.CopyTo(buffer);
            int tail = (_head + _count) % _buffers.Length;
            _buffers[tail] = buffer;
            _lengths[tail] = datagram.Length;
            _count++;

            // Inside the lock so Dispose cannot slip in between and make Release throw.
            _available.Release();
        }

        return true;
    }

    /// <summary>
    /// Waits up to <paramref name="waitMillis"/> for a datagram (0 means forever, as in
    /// BouncyCastle's DatagramReceiver) and copies at most <c>destination.Length</c> bytes of it;
    /// a longer datagram is truncated, which the DTLS record layer then discards as malformed.
    /// </summary>
    public DtlsDequeueStatus Dequeue(Span<byte> destination, int waitMillis, CancellationToken cancellationToken, out int length)
    {
        length = 0;
        try
        {
            if (!_available.Wait(waitMillis <= 0 ? Timeout.Infinite : waitMillis, cancellationToken))
            {
                return DtlsDequeueStatus.Timeout;
            }
        }
        catch (OperationCanceledException)
        {
            return DtlsDequeueStatus.Canceled;
        }
        catch (ObjectDisposedException)
        {
            return DtlsDequeueStatus.Closed;
        }

        byte[]? buffer;
        int size;
        lock (_gate)
        {
            if (_closed)
            {
                // Keep the wake-up for the next caller: once closed, every wait must return at once.
                if (!_disposed)
                {
                    _available.Release();
                }

                return DtlsDequeueStatus.Closed;
            }

            if (_count == 0)
            {
                return DtlsDequeueStatus.Timeout;
            }

            buffer = _buffers[_head];
            size = _lengths[_head];
            _buffers[_head] = null;
            _head = (_head + 1) % _buffers.Length;
            _count--;
        }

        length = Math.Min(size, destination.Length);
        buffer.AsSpan(0, length).CopyTo(destination);
        ArrayPool<byte>.Shared.Return(buffer!);
        return DtlsDequeueStatus.Datagram;
    }

    /// <summary>Rejects further datagrams, returns every queued buffer to the pool and wakes the consumer.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            while (_count > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffers[_head]!);
                _buffers[_head] = null;
                _head = (_head + 1) % _buffers.Length;
                _count--;
            }

            _available.Release();
        }
    }

    /// <summary>
    /// Closes the queue and releases the semaphore. Only the consumer (or its owner once the
    /// consumer is gone) may call this; producers keep getting false from <see cref="TryEnqueue"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Close();
            _disposed = true;
        }

        _available.Dispose();
    }
}
