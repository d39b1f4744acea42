using System.Net;
using System.Net.Sockets;
using Sfu.Bots;
using Sfu.Core.Net;

namespace Sfu.LoadTest;

/// <summary>
/// One thread that reads many subscribers' sockets: every <see cref="SweepInterval"/> it drains
/// each socket with <c>recvmmsg</c> (<see cref="LinuxDatagramReceiver"/>; one non-blocking
/// <c>ReceiveFrom</c> per datagram elsewhere) and hands each datagram to that socket's handler.
/// </summary>
/// <remarks>
/// Sweeping instead of blocking is the point: a thousand subscribers each blocking in
/// <c>recvfrom</c> would cost a thread wake-up per received packet, several hundred thousand a
/// second at 1 → 1,000, on the cores the server under test needs. Sleeping between sweeps lets
/// a video frame's packets queue in the socket (its receive buffer holds far more than one
/// sweep's worth), so one system call takes several. Latency is not measured on this path.
/// </remarks>
internal sealed class BatchedSocketReader : IBotSocketReader, IDisposable
{
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Datagrams one <c>recvmmsg</c> takes from a socket.</summary>
    private const int Capacity = 32;

    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private volatile Registration[] _sockets = [];
    private volatile bool _disposed;

    public BatchedSocketReader(TimeSpan? sweepInterval = null)
    {
        SweepInterval = sweepInterval ?? DefaultSweepInterval;
        _thread = new Thread(SweepLoop) { IsBackground = true, Name = "counting-rx" };
        _thread.Start();
    }

    public TimeSpan SweepInterval { get; }

    /// <summary>Sockets being read.</summary>
    public int Count => _sockets.Length;

    public IDisposable Add(Socket socket, BotDatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new Registration(this, socket, handler);
        lock (_gate)
        {
            _sockets = [.. _sockets, registration];
        }

        return registration;
    }

    public void Dispose()
    {
        _disposed = true;
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Remove(Registration registration)
    {
        lock (_gate)
        {
            _sockets = Array.FindAll(_sockets, r => r != registration);
        }
    }

    private void SweepLoop()
    {
        using LinuxDatagramReceiver? batch = LinuxDatagramReceiver.TryCreate(Capacity);
        byte[] buffer = new byte[LinuxDatagramReceiver.SlotSize];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        while (!_disposed)
        {
            foreach (Registration registration in _sockets)
            {
                try
                {
                    if (batch is not null)
                    {
                        Drain(batch, registration, source);
                    }
                    else
                    {
                        Drain(buffer, registration, source);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The socket was closed under us (its bot left) or refused: skip it this sweep.
                }
            }

            Thread.Sleep(SweepInterval);
        }
    }

    private static void Drain(LinuxDatagramReceiver batch, Registration registration, SocketAddress source)
    {
        int received;
        do
        {
            // Nothing queued (EAGAIN) or an error (a refused connected socket): the next sweep tries again.
            received = Math.Max(batch.Receive(registration.Socket.SafeHandle, wait: false), 0);
            for (int i = 0; i < received && !registration.Removed; i++)
            {
                batch.CopySource(i, source);
                registration.Handler(batch.Datagram(i), source);
            }
        }
        while (received == Capacity && !registration.Removed);
    }

    private static void Drain(byte[] buffer, Registration registration, SocketAddress source)
    {
        while (!registration.Removed && registration.Socket.Available > 0)
        {
            int length = registration.Socket.ReceiveFrom(buffer, SocketFlags.None, source);
            registration.Handler(buffer.AsSpan(0, length), source);
        }
    }

    private sealed class Registration(BatchedSocketReader owner, Socket socket, BotDatagramHandler handler) : IDisposable
    {
        private volatile bool _removed;

        public Socket Socket { get; } = socket;

        public BotDatagramHandler Handler { get; } = handler;

        public bool Removed => _removed;

        public void Dispose()
        {
            _removed = true;
            owner.Remove(this);
        }
    }
}
