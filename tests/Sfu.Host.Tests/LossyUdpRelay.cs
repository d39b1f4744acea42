using System.Net;
using System.Net.Sockets;

namespace Sfu.Host.Tests;

/// <summary>
/// A UDP relay on 127.0.0.1 between peers and the server's media port that drops a share of
/// the RTP the server sends toward the peers, and of the large RTP packets (video) the peers
/// send toward the server (this kernel has no netem). One peer socket on the server side per
/// peer address, so the server sees each peer as its own address.
/// </summary>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly Dictionary<IPEndPoint, Socket> _backs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new(1234);
    private readonly double _dropRtpToPeers;
    private double _dropVideoToServer;
    private readonly List<Task> _loops = [];
    private long _dropped;
    private long _droppedToServer;

    /// <param name="serverPort">The server's real media port.</param>
    /// <param name="dropRtpToPeers">Share of RTP toward the peers to drop.</param>
    /// <param name="dropVideoToServer">Share of RTP packets over 400 bytes (video, not Opus) toward the server to drop.</param>
    public LossyUdpRelay(int serverPort, double dropRtpToPeers, double dropVideoToServer = 0)
    {
        _server = new IPEndPoint(IPAddress.Loopback, serverPort);
        _dropRtpToPeers = dropRtpToPeers;
        _dropVideoToServer = dropVideoToServer;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_front.LocalEndPoint!).Port;
        _loops.Add(Task.Run(FrontLoopAsync));
    }

    public int Port { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Share of RTP packets over 400 bytes toward the server to drop from now on.</summary>
    public double DropVideoToServer
    {
        get => Volatile.Read(ref _dropVideoToServer);
        set => Volatile.Write(ref _dropVideoToServer, value);
    }

    /// <summary>Packets dropped on their way to the server.</summary>
    public long DroppedToServer => Interlocked.Read(ref _droppedToServer);

    private static bool IsRtp(ReadOnlySpan<byte> datagram)
        => datagram.Length > 1 && datagram[0] >= 128 && datagram[0] <= 191 && !(datagram[1] >= 192 && datagram[1] <= 223);

    private bool Chance(double share)
    {
        lock (_random)
        {
            return _random.NextDouble() < share;
        }
    }

    private async Task FrontLoopAsync()
    {
        byte[] buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _front.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var peer = (IPEndPoint)result.RemoteEndPoint;
            int received = result.ReceivedBytes;
            if (received > 400 && IsRtp(buffer.AsSpan(0, received)) && Chance(DropVideoToServer))
            {
                Interlocked.Increment(ref _droppedToServer);
                continue;
            }

            Socket back = BackFor(peer);
            await back.SendToAsync(buffer.AsMemory(0, result.ReceivedBytes), SocketFlags.None, _server);
        }
    }

    private Socket BackFor(IPEndPoint peer)
    {
        lock (_backs)
        {
            if (!_backs.TryGetValue(peer, out Socket? back))
            {
                back = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                _backs[peer] = back;
                _loops.Add(Task.Run(() => BackLoopAsync(back, peer)));
            }

            return back;
        }
    }

    private async Task BackLoopAsync(Socket back, IPEndPoint peer)
    {
        byte[] buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await back.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            int length = result.ReceivedBytes;
            if (IsRtp(buffer.AsSpan(0, length)) && Chance(_dropRtpToPeers))
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            await _front.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, peer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        lock (_backs)
        {
            foreach (Socket back in _backs.Values)
            {
                back.Dispose();
            }
        }

        try
        {
            await Task.WhenAll(_loops);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }
}
