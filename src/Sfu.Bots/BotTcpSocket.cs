using System.Net;
using System.Net.Sockets;
using Sfu.Core.Tcp;

namespace Sfu.Bots;

/// <summary>
/// The bot's one ICE-TCP connection (RFC 6544): an active candidate that connects to the
/// server's passive one once the answer names it, and carries every datagram (STUN, DTLS,
/// SRTP, SRTCP) as an RFC 4571 frame, a 16-bit length before each. One receive thread cuts the
/// stream into datagrams and hands them to the bot as if they came from the server's candidate,
/// so ICE, DTLS and SRTP above it are the same as over UDP. Allocation-free after connecting:
/// one receive buffer, one send buffer (senders on several threads take turns, so a frame is
/// written whole).
/// </summary>
internal sealed class BotTcpSocket : IBotSocket
{
    private const int MaxDatagram = BotSocket.BufferSize;

    private readonly Socket _socket;
    private readonly byte[] _sendBuffer = new byte[TcpFrameReader.HeaderLength + MaxDatagram];
    private readonly Lock _sendLock = new();
    private BotDatagramHandler? _handler;
    private string _name = "bot-tcp";
    private SocketAddress? _remote;
    private Thread? _thread;
    private volatile bool _disposed;
    private long _framesReceived;

    public BotTcpSocket(IPAddress? bind = null)
    {
        _socket = BotSocket.Open(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public long SendErrors { get; private set; }

    /// <summary>Nothing to do: the connection has one peer.</summary>
    public void ConnectTo(SocketAddress remote)
    {
    }

    /// <summary>RFC 4571 frames received so far (STUN, DTLS, SRTP, SRTCP alike).</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Remembers the handler; reading starts once <see cref="ConnectAsync"/> has connected.</summary>
    public void Start(BotDatagramHandler handler, string name, IBotSocketReader? reader = null)
    {
        if (reader is not null)
        {
            throw new NotSupportedException("A shared socket reader reads UDP datagrams; an ICE-TCP bot reads its own stream.");
        }

        _handler = handler;
        _name = name;
    }

    /// <summary>Connects to the server's passive candidate <paramref name="remote"/> and starts reading.</summary>
    public async Task ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken)
    {
        BotDatagramHandler handler = _handler ?? throw new InvalidOperationException("Start the socket before connecting it.");
        await _socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
        _remote = remote.Serialize();
        _thread = new Thread(() => ReceiveLoop(handler, _remote)) { IsBackground = true, Name = _name };
        _thread.Start();
    }

    /// <summary>Sends <paramref name="datagram"/> as one frame; the destination is the connection's far end.</summary>
    public void Send(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (_disposed || _remote is null || datagram.Length > MaxDatagram)
        {
            return;
        }

        lock (_sendLock)
        {
            TcpFrameReader.WriteHeader(_sendBuffer, datagram.Length);
            datagram.CopyTo(_sendBuffer.AsSpan(TcpFrameReader.HeaderLength));
            try
            {
                // A blocking send writes the whole frame (or fails): frames never interleave.
                _socket.Send(_sendBuffer.AsSpan(0, TcpFrameReader.HeaderLength + datagram.Length), SocketFlags.None);
            }
            catch (SocketException)
            {
                SendErrors++;
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join(TimeSpan.FromSeconds(1));
        }
    }

    private void ReceiveLoop(BotDatagramHandler handler, SocketAddress source)
    {
        var frames = new TcpFrameReader(new byte[TcpFrameReader.HeaderLength + MaxDatagram + (64 * 1024)], MaxDatagram);
        while (!_disposed)
        {
            int length;
            try
            {
                length = _socket.Receive(frames.GetWritable().Span, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (length == 0)
            {
                return;
            }

            frames.Advance(length);
            TcpFrameResult result;
            while ((result = frames.TryRead(out Span<byte> frame)) == TcpFrameResult.Frame)
            {
                Interlocked.Increment(ref _framesReceived);
                handler(frame, source);
            }

            if (result != TcpFrameResult.NeedMore)
            {
                // RFC 4571 gives no way to find the next frame after a bad length: the stream is over.
                return;
            }
        }
    }
}
