using System.Net;

namespace Sfu.Core.Sessions;

/// <summary>
/// Lets a transport claim a remote address once ICE has authenticated it, so later datagrams
/// from that address reach it without a STUN lookup.
/// </summary>
public interface IAddressBinder
{
    void Bind(SocketAddress address, PeerTransport transport);

    void UnbindAll(PeerTransport transport);
}
