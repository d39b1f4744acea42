using System.Net;

namespace Sfu.Core.Net;

/// <summary>
/// One way a peer's datagrams leave the server: the shared UDP port, or one ICE-TCP connection
/// (RFC 6544) that carries them framed. STUN, DTLS, SRTP and the forwarding path send through
/// the path the peer's selected candidate pair uses and never need to know which it is.
/// </summary>
public interface IDatagramPath
{
    /// <summary>The transport of the path, as an ICE candidate names it.</summary>
    TransportProtocol Protocol { get; }

    /// <summary>
    /// Sends one datagram; thread-safe, never throws for a network error. A path that may have
    /// to drop when it backs up (a TCP connection) drops by <paramref name="priority"/>; the UDP
    /// port leaves that to the kernel.
    /// </summary>
    bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress destination, DatagramPriority priority);
}
