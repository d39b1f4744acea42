using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Sfu.Core.Relay;

namespace Sfu.Host.Cluster;

/// <summary>
/// The peer nodes this node holds a link to, by node id. <see cref="PeerLinks"/> adds and drops
/// them on the beat; the relay receive thread and the interest loop only look them up.
/// </summary>
internal sealed class RelayPeers : IEnumerable<KeyValuePair<string, RelayPeer>>
{
    private readonly ConcurrentDictionary<string, RelayPeer> _peers = new(StringComparer.Ordinal);

    /// <summary>The ids of the peers whose link is connected, in ordinal order.</summary>
    public IReadOnlyCollection<string> Connected => [.. _peers.Values.Where(p => p.Link.IsConnected).Select(p => p.Link.PeerNodeId).Order(StringComparer.Ordinal)];

    /// <summary>A snapshot of the peers.</summary>
    public ICollection<RelayPeer> All => _peers.Values;

    /// <summary>A snapshot of the peers' ids.</summary>
    public ICollection<string> Ids => _peers.Keys;

    public bool Contains(string id) => _peers.ContainsKey(id);

    public bool TryGet(string id, [NotNullWhen(true)] out RelayPeer? peer) => _peers.TryGetValue(id, out peer);

    /// <summary>
    /// The peer <paramref name="link"/> belongs to, while it is still that peer's link: a packet
    /// from a link that was dropped or replaced since speaks for nobody.
    /// </summary>
    public bool TryGetCurrent(RelayLink link, [NotNullWhen(true)] out RelayPeer? peer)
        => _peers.TryGetValue(link.PeerNodeId, out peer) && peer.Link == link;

    public void Add(string id, RelayPeer peer) => _peers[id] = peer;

    public bool TryRemove(string id, [NotNullWhen(true)] out RelayPeer? peer) => _peers.TryRemove(id, out peer);

    public IEnumerator<KeyValuePair<string, RelayPeer>> GetEnumerator() => _peers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
