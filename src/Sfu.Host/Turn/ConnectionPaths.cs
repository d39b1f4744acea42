using System.Runtime.CompilerServices;
using Sfu.Core;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;

namespace Sfu.Host.Turn;

/// <summary>
/// How each participant's media reaches us, named as operators read it: <see cref="HostUdp"/>,
/// <see cref="HostTcp"/> (ICE-TCP) or a configured TURN server, with the protocol the browser
/// speaks to that server (<c>relay udp</c>, <c>relay tcp</c>, <c>relay tls</c>). The admin view
/// shows it per participant and the <c>sfu.connections</c> metric counts it.
/// </summary>
public sealed class ConnectionPaths
{
    public const string HostUdp = "host udp";
    public const string HostTcp = "host tcp";

    /// <summary>Relayed by TURN, before the client has said how it reaches the TURN server.</summary>
    public const string Relay = "relay";

    /// <summary>The protocols a client may speak to a TURN server (RFC 8656 §3.1; TLS per RFC 8656 §3.5).</summary>
    public static readonly IReadOnlyList<string> RelayProtocols = ["udp", "tcp", "tls"];

    private static readonly string[] All = [HostUdp, HostTcp, .. RelayProtocols.Select(p => $"{Relay} {p}"), Relay];

    private readonly SfuEngine _engine;
    private readonly TurnCredentials _turn;

    // Per transport, what its client reported of its leg to the TURN server: that leg is between
    // the browser and coturn, so only the client knows it. Dropped with the transport.
    private readonly ConditionalWeakTable<PeerTransport, string> _relayLegs = [];

    public ConnectionPaths(SfuEngine engine, TurnCredentials turn)
    {
        _engine = engine;
        _turn = turn;
        engine.Metrics.ObserveConnectionPaths(Count);
    }

    /// <summary>
    /// The selected pair's path; null before ICE selects one. A TURN relay speaks UDP to us from
    /// the TURN server's address, so that is how a relayed peer is told from a direct one; the
    /// client's report only names the leg behind the relay, it never makes a direct peer relayed.
    /// </summary>
    public string? Of(PeerTransport transport) => transport.SelectedProtocol switch
    {
        TransportProtocol.Tcp => HostTcp,
        TransportProtocol.Udp when transport.RemoteAddress is { } remote && _turn.IsRelayAddress(remote) =>
            _relayLegs.TryGetValue(transport, out string? leg) ? $"{Relay} {leg}" : Relay,
        TransportProtocol.Udp => HostUdp,
        _ => null,
    };

    /// <summary>
    /// Records how <paramref name="transport"/>'s client reaches its TURN server (the
    /// <c>relayProtocol</c> of its selected local candidate). Returns false for anything but
    /// udp, tcp or tls.
    /// </summary>
    public bool ReportRelayLeg(PeerTransport transport, string protocol)
    {
        string? known = RelayProtocols.FirstOrDefault(p => string.Equals(p, protocol, StringComparison.Ordinal));
        if (known is null)
        {
            return false;
        }

        _relayLegs.AddOrUpdate(transport, known);
        return true;
    }

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
