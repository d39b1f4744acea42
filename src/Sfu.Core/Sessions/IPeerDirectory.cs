using System.Net;
using Sfu.Core.Ice;

namespace Sfu.Core.Sessions;

/// <summary>
/// How datagrams find a transport, owned by whoever demultiplexes them: by remote address once
/// ICE has authenticated it (no STUN lookup per packet), and by our ICE ufrag for first
/// contact. Handed down to each transport, which never needs to know who owns it.
/// </summary>
public interface IPeerDirectory
{
    /// <summary>Routes datagrams from <paramref name="address"/> to the transport.</summary>
    void Bind(SocketAddress address, PeerTransport transport);

    /// <summary>Forgets every address of the transport.</summary>
    void UnbindAll(PeerTransport transport);

    /// <summary>Fresh ICE credentials whose ufrag no transport uses, routed to this one from now on.</summary>
    IceCredentials IssueCredentials(PeerTransport transport);

    /// <summary>Stops routing checks that name <paramref name="ufrag"/> to the transport.</summary>
    void RetireUfrag(string ufrag, PeerTransport transport);
}
