using System.Net;
using System.Net.Sockets;

namespace Sfu.Bots;

/// <summary>One datagram a bot's socket received, and the address it came from.</summary>
public delegate void BotDatagramHandler(Span<byte> datagram, SocketAddress source);

/// <summary>
/// Reads bots' sockets on the bots' behalf, so that hundreds of receive-only bots share one
/// thread instead of each blocking one of its own in <c>recvfrom</c> (the load tool's counting
/// subscribers). The bot still handles everything the reader hands back: STUN, DTLS, SRTCP.
/// </summary>
public interface IBotSocketReader
{
    /// <summary>
    /// Starts reading <paramref name="socket"/>, calling <paramref name="handler"/> on the reader's
    /// thread for every datagram; disposing the result stops it before the socket is closed.
    /// </summary>
    IDisposable Add(Socket socket, BotDatagramHandler handler);
}
