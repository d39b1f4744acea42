using System.Net;
using System.Net.Sockets;

namespace Sfu.Bots;

/// <summary>
/// The bot's one UDP socket, bound to 127.0.0.1 (or the benchmark address given), with one receive thread that hands every
/// datagram to the bot (allocation-free: one buffer and one <see cref="SocketAddress"/> reused), or
/// read by an <see cref="IBotSocketReader"/> shared with other bots.
/// </summary>
internal sealed class BotSocket : IBotSocket
{
    public const int BufferSize = 2048;

    private readonly Socket _socket;
    private Thread? _thread;
    private IDisposable? _reader;
    private volatile bool _disposed;

    public BotSocket(IPAddress? bind = null)
    {
        _socket = Open(new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp), bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>Gives a bot's socket room for media bursts and binds it to <paramref name="bind"/> (127.0.0.1 by default), any port.</summary>
    internal static Socket Open(Socket socket, IPAddress? bind)
    {
        // Media bursts (a large key frame) must not overflow the default buffers on loopback.
        socket.ReceiveBufferSize = 1 << 20;
        socket.SendBufferSize = 1 << 20;
        socket.Bind(new IPEndPoint(bind ?? IPAddress.Loopback, 0));
        return socket;
    }

    public IPEndPoint LocalEndPoint { get; }

    public long SendErrors { get; private set; }

    public void Start(BotDatagramHandler handler, string name, IBotSocketReader? reader = null)
    {
        if (reader is not null)
        {
            _reader = reader.Add(_socket, handler);
            return;
        }

        _thread = new Thread(() => ReceiveLoop(handler)) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void ConnectTo(SocketAddress remote)
    {
        // Linux (6.13 on) files a connected UDP socket under its 4-tuple too, so a datagram for it
        // is found with one hash lookup instead of a walk of every socket on the port's bucket.
        _socket.Connect(new IPEndPoint(IPAddress.Any, 0).Create(remote));
    }

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _socket.SendTo(datagram, SocketFlags.None, destination);
        }
        catch (SocketException)
        {
            // UDP is best effort; a full buffer or an unreachable port is counted, not fatal.
            SendErrors++;
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _reader?.Dispose();
        _socket.Dispose();
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join(TimeSpan.FromSeconds(1));
        }
    }

    private void ReceiveLoop(BotDatagramHandler handler)
    {
        byte[] buffer = new byte[BufferSize];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        while (!_disposed)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, source);
            }
            catch (SocketException) when (!_disposed)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            handler(buffer.AsSpan(0, length), source);
        }
    }
}
