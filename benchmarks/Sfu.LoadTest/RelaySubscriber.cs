using System.Net;
using System.Net.Sockets;
using Sfu.Bots;
using Sfu.Core.Rtp;

namespace Sfu.LoadTest;

/// <summary>One plain-socket receiver of the relay: counts packets per stream, sequence gaps and one-way latency.</summary>
internal sealed class RelaySubscriber : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private readonly StreamState[] _streams = [new(), new()];
    private volatile bool _registered;
    private volatile bool _disposed;
    private long _bytes;

    public RelaySubscriber(IPAddress bind, IPEndPoint relay)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        _socket.Bind(new IPEndPoint(bind, 0));
        _socket.Connect(relay);
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "relay-sub" };
        _thread.Start();
    }

    public bool Registered => _registered;

    public void Register() => _socket.Send([RelayServer.Hello]);

    public void AddTo(List<StreamCounters> tracks, ref long bytes)
    {
        bytes += Interlocked.Read(ref _bytes);
        lock (_gate)
        {
            foreach (StreamState s in _streams)
            {
                if (s.First >= 0)
                {
                    tracks.Add(new StreamCounters(s.Packets, s.Sequence.Highest - s.First + 1, s.Latency.Percentile(50), s.Latency.Percentile(99)));
                }
            }
        }
    }

    public void ClearLatency()
    {
        lock (_gate)
        {
            foreach (StreamState s in _streams)
            {
                s.Latency.Clear();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(1));
    }

    private void ReceiveLoop()
    {
        byte[] buffer = new byte[2048];
        while (!_disposed)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_disposed)
                {
                    return;
                }

                continue;
            }

            if (length >= 1 && buffer[0] == RelayServer.Hello)
            {
                _registered = true;
                continue;
            }

            if (length < RelayPacket.MinLength)
            {
                continue;
            }

            Interlocked.Add(ref _bytes, length);
            long now = BotClock.NowMicroseconds();
            (int stream, ushort sequence, long sent) = RelayPacket.Read(buffer);
            lock (_gate)
            {
                StreamState s = _streams[stream];
                long extended = s.Sequence.Unwrap(sequence);
                if (s.First < 0)
                {
                    s.First = extended;
                }

                s.Packets++;
                s.Latency.Add((now - sent) / 1000.0);
            }
        }
    }

    private sealed class StreamState
    {
        public Unwrapper<ushort> Sequence { get; } = new();

        public LatencyRecorder Latency { get; } = new();

        public long First { get; set; } = -1;

        public long Packets { get; set; }
    }
}
