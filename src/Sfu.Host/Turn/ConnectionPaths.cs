using Sfu.Core;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;

namespace Sfu.Host.Turn;

/// <summary>
/// How each participant's media reaches us, named as operators read it: <see cref="HostUdp"/>,
/// <see cref="HostTcp"/> (ICE-TCP) or <see cref="Relay"/> (a configured TURN server). The admin
/// view shows it per participant and the <c>sfu.connections</c> metric counts it.
/// </summary>
internal sealed class ConnectionPaths
{
    public const string HostUdp = "host udp";
    public const string HostTcp = "host tcp";
    public const string Relay = "relay";

    private static readonly string[] All = [HostUdp, HostTcp, Relay];

    private readonly SfuEngine _engine;
    private readonly TurnCredentials _turn;

    public ConnectionPaths(SfuEngine engine, TurnCredentials turn)
    {
        _engine = engine;
        _turn = turn;
        engine.Metrics.ObserveConnectionPaths(Count);
    }

    /// <summary>
    /// The selected pair's path; null before ICE selects one. A TURN relay speaks UDP to us from
    /// the TURN server's address, so that is how a relayed peer is told from a direct one.
    /// </summary>
    public string? Of(PeerTransport transport) => transport.SelectedProtocol switch
    {
        TransportProtocol.Tcp => HostTcp,
        TransportProtocol.Udp when transport.RemoteAddress is { } remote && _turn.IsRelayAddress(remote) => Relay,
        TransportProtocol.Udp => HostUdp,
        _ => null,
    };

    /// <summary>Connected participants of every room by path; every path is listed, 0 included.</summary>
    public IReadOnlyDictionary<string, int> Count()
    {
        var counts = All.ToDictionary(p => p, _ => 0, StringComparer.Ordinal);
        foreach (Room room in _engine.Rooms.Rooms)
        {
            foreach (Participant participant in room.Participants)
            {
                if (participant.Transport.IsConnected && Of(participant.Transport) is string path)
                {
                    counts[path]++;
                }
            }
        }

        return counts;
    }
}
