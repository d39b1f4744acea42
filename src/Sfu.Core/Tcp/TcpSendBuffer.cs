using System.Buffers;
using Sfu.Core.Net;

namespace Sfu.Core.Tcp;

/// <summary>
/// The datagrams waiting to leave on one ICE-TCP connection, already framed (RFC 4571 §2).
/// Bounded in bytes: a connection that backs up (a slow or stalled peer, a congested path)
/// must not hold the server's memory, and old video is worth less than new. When a datagram
/// does not fit, the oldest video goes first, then the oldest audio; control (STUN, DTLS,
/// RTCP) is dropped only when nothing else is left to drop. The writer takes control first,
/// then audio, then video. Thread-safe: any thread enqueues, one writer drains.
/// </summary>
public sealed class TcpSendBuffer
{
    private readonly Lock _gate = new();
    private readonly Queue<Frame>[] _queues = [new(), new(), new()];
    private int _bytes;

    public TcpSendBuffer(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, TcpFrameReader.HeaderLength + 1);
        MaxBytes = maxBytes;
    }

    /// <summary>The most framed bytes the queue holds.</summary>
    public int MaxBytes { get; }

    /// <summary>Framed bytes waiting.</summary>
    public int Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>
    /// Queues a framed copy of <paramref name="datagram"/>, making room by the rules above;
    /// <paramref name="dropped"/> counts the datagrams given up (this one included when it did
    /// not fit). False when this one was dropped.
    /// </summary>
    public bool Enqueue(ReadOnlySpan<byte> datagram, DatagramPriority priority, out int dropped)
    {
        dropped = 0;
        int size = TcpFrameReader.HeaderLength + datagram.Length;
        if (datagram.IsEmpty || datagram.Length > ushort.MaxValue || size > MaxBytes)
        {
            dropped = 1;
            return false;
        }

        lock (_gate)
        {
            // Evict older datagrams of the same or lower worth (video, then audio, then
            // control) until this one fits; never one worth more than it.
            for (int victim = (int)DatagramPriority.Video; _bytes + size > MaxBytes && victim >= (int)priority; victim--)
            {
                Queue<Frame> queue = _queues[victim];
                while (_bytes + size > MaxBytes && queue.TryDequeue(out Frame old))
                {
                    _bytes -= old.Length;
                    ArrayPool<byte>.Shared.Return(old.Buffer);
                    dropped++;
                }
            }

            if (_bytes + size > MaxBytes)
            {
                dropped++;
                return false;
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            TcpFrameReader.WriteHeader(buffer, datagram.Length);
            datagram.CopyTo(buffer.AsSpan(TcpFrameReader.HeaderLength));
            _queues[(int)priority].Enqueue(new Frame(buffer, size));
            _bytes += size;
            return true;
        }
    }

    /// <summary>
    /// Moves whole frames into <paramref name="destination"/>, control first, then audio, then
    /// video, each in the order queued; returns the bytes written (0 when empty).
    /// </summary>
    public int Drain(Span<byte> destination)
    {
        int written = 0;
        lock (_gate)
        {
            foreach (Queue<Frame> queue in _queues)
            {
                while (queue.TryPeek(out Frame next) && written + next.Length <= destination.Length)
                {
                    queue.Dequeue();
                    next.Buffer.AsSpan(0, next.Length).CopyTo(destination[written..]);
                    written += next.Length;
                    _bytes -= next.Length;
                    ArrayPool<byte>.Shared.Return(next.Buffer);
                }
            }
        }

        return written;
    }

    /// <summary>Gives every queued buffer back to the pool (the connection closed).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (Queue<Frame> queue in _queues)
            {
                while (queue.TryDequeue(out Frame frame))
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
            }

            _bytes = 0;
        }
    }

    private readonly record struct Frame(byte[] Buffer, int Length);
}
