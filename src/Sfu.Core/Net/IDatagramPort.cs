using System.Net;

namespace Sfu.Core.Net;

/// <summary>
/// Where the media plane's datagrams come in and go out: the UDP socket in production
/// (<see cref="UdpMediaPort"/>), or a port that is not a socket where benchmarks and tests drive
/// the real packet path without the kernel.
/// </summary>
public interface IDatagramPort : IDatagramPath, ISendBatching, IAsyncDisposable
{
    /// <summary>A port that does not batch sends (a test port) gives no thread a batch.</summary>
    IDisposable? ISendBatching.BatchSendsOnThisThread() => null;

    void ISendBatching.FlushSends()
    {
    }

    TransportProtocol IDatagramPath.Protocol => TransportProtocol.Udp;

    IPEndPoint LocalEndPoint { get; }

    /// <summary>True while datagrams are being delivered to the handler.</summary>
    bool IsReceiving { get; }

    /// <summary>Starts delivering datagrams to <paramref name="handler"/>, one at a time on each receive thread.</summary>
    void Start(IDatagramHandler handler);

    /// <summary>Sends one datagram; thread-safe, never throws for a network error.</summary>
    bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination);

    /// <summary>A datagram socket drops nothing itself: the kernel's send buffer decides.</summary>
    bool IDatagramPath.SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination, DatagramPriority priority)
        => SendTo(datagram, destination);
}
