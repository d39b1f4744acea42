using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sfu.Bots;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.LoadTest;

/// <summary>
/// One plain-socket receiver of the relay, in a room (the fanout's subscribers are all in room 0).
/// A full one has its own receive thread, decrypts the SRTP relay's packets with
/// <see cref="SrtpContext"/> (it is only the receiver here) and counts packets per stream (per
/// SSRC), sequence gaps and one-way latency; a counting one is read by the shared
/// <see cref="BatchedSocketReader"/> and only counts from the clear header. In the rooms
/// scenario a member also publishes from the same socket (<see cref="Socket"/>).
/// </summary>
internal sealed class RelaySubscriber : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread? _thread;
    private readonly IDisposable? _registration;
    private readonly ClearRtpCounter? _counter;
    private readonly SrtpContext? _inbound;
    private readonly byte[] _hello;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, StreamState> _streams = [];
    private volatile bool _registered;
    private volatile bool _disposed;
    private long _bytes;
    private long _decryptFailures;

    public RelaySubscriber(IPAddress bind, IPEndPoint relay, RelayMode mode, BatchedSocketReader? countingReader = null, ushort room = 0)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        _socket.Bind(new IPEndPoint(bind, 0));
        _socket.Connect(relay);
        if (mode == RelayMode.Srtp)
        {
            // This subscriber is the SRTP receiver: it picks the master key and salt and tells the relay.
            byte[] key = RandomNumberGenerator.GetBytes(RelaySrtpSender.MasterKeyLength);
            byte[] salt = RandomNumberGenerator.GetBytes(RelaySrtpSender.MasterSaltLength);
            _hello = RelayServer.CreateHello(room, key, salt);
            _inbound = SrtpContext.Create(SrtpProfile.AeadAes128Gcm, key, salt);
        }
        else
        {
            _hello = RelayServer.CreateHello(room);
        }

        if (countingReader is not null)
        {
            _counter = new ClearRtpCounter();
            _registration = countingReader.Add(_socket, (datagram, _) => OnDatagram(datagram));
        }
        else
        {
            _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "relay-sub" };
            _thread.Start();
        }
    }

    public bool Registered => _registered;

    /// <summary>The socket it receives on, connected to the relay: a member of a room publishes from it.</summary>
    public Socket Socket => _socket;

    /// <summary>The SSRCs it received, in no order (the tests check who hears whom).</summary>
    public IReadOnlyList<uint> ReceivedSsrcs()
    {
        if (_counter is not null)
        {
            return _counter.Ssrcs();
        }

        lock (_gate)
        {
            return [.. _streams.Keys];
        }
    }

    /// <summary>Packets the SRTP receiver rejected (authentication, replay or parse).</summary>
    public long DecryptFailures => Interlocked.Read(ref _decryptFailures);

    public void Register() => _socket.Send(_hello);

    public void AddTo(List<StreamCounters> tracks, ref long bytes, bool withLatency)
    {
        if (_counter is not null)
        {
            bytes += _counter.Bytes;
            foreach (uint ssrc in _counter.Ssrcs())
            {
                (long packets, long expected) = _counter.Get(ssrc);
                if (packets > 0)
                {
                    tracks.Add(new StreamCounters(packets, expected, double.NaN, double.NaN));
                }
            }

            return;
        }

        bytes += Interlocked.Read(ref _bytes);
        lock (_gate)
        {
            foreach (StreamState s in _streams.Values)
            {
                if (s.First >= 0)
                {
                    tracks.Add(withLatency
                        ? new StreamCounters(s.Packets, s.Sequence.Highest - s.First + 1, s.Latency.Percentile(50), s.Latency.Percentile(99))
                        : new StreamCounters(s.Packets, s.Sequence.Highest - s.First + 1, double.NaN, double.NaN));
                }
            }
        }
    }

    public void ClearLatency()
    {
        lock (_gate)
        {
            foreach (StreamState s in _streams.Values)
            {
                s.Latency.Clear();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _registration?.Dispose();
        _socket.Dispose();
        _thread?.Join(TimeSpan.FromSeconds(1));
        _inbound?.Dispose();
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

            OnDatagram(buffer.AsSpan(0, length));
        }
    }

    private void OnDatagram(Span<byte> datagram)
    {
        if (datagram.Length >= 1 && datagram[0] == RelayServer.Hello)
        {
            _registered = true;
            return;
        }

        if (_counter is not null)
        {
            _counter.Count(datagram);
            return;
        }

        Interlocked.Add(ref _bytes, datagram.Length);
        if (_inbound is not null)
        {
            if (_inbound.UnprotectRtp(datagram, out int plainLength) != SrtpResult.Ok)
            {
                Interlocked.Increment(ref _decryptFailures);
                return;
            }

            datagram = datagram[..plainLength];
        }

        if (datagram.Length < RelayPacket.MinLength)
        {
            return;
        }

        long now = BotClock.NowMicroseconds();
        (uint ssrc, ushort sequence, long sent) = RelayPacket.Read(datagram);
        lock (_gate)
        {
            if (!_streams.TryGetValue(ssrc, out StreamState? s))
            {
                _streams[ssrc] = s = new StreamState();
            }

            long extended = s.Sequence.Unwrap(sequence);
            if (s.First < 0)
            {
                s.First = extended;
            }

            s.Packets++;
            s.Latency.Add((now - sent) / 1000.0);
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
