using System.Net;

namespace Sfu.Core.Net;

/// <summary>
/// Receives each datagram from the media port's receive loops. Runs on a loop, possibly on
/// several loops at once (one per media thread): it must not block, and it owns
/// <paramref name="datagram"/> and <paramref name="source"/> only for the duration of the call
/// (both are reused for the loop's next datagram).
/// </summary>
public interface IDatagramHandler
{
    void OnDatagram(Span<byte> datagram, SocketAddress source);

    /// <summary>
    /// What handling the last datagram sent has left the port (sends from the loop are queued
    /// and leave together after <see cref="OnDatagram"/> returns). Runs on the loop.
    /// </summary>
    void OnSent()
    {
    }
}
