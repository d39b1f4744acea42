using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Sfu.Core.Dtls;
using Sfu.Core.Relay;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// This node's links to the other nodes, kept on the beat: a live node that hosts a member of
/// one of this node's rooms gets a link (DTLS-SRTP, the peer's fingerprint pinned from its
/// directory entry); a node that died, restarted under a new certificate or address, or no
/// longer shares a room loses its link. One link per pair of nodes carries all the rooms they
/// share, and each room's packets go to the connected links of its other nodes
/// (<see cref="Room.RelayLinks"/>).
/// </summary>
internal sealed partial class PeerLinks(
    RelayPort port,
    RelayPeers peers,
    IRelaySink sink,
    RemoteTracks remote,
    BeatOrNudge beat,
    ILogger logger)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Links exactly the live nodes that share a room with this one (<paramref name="sharing"/>). Beat only.</summary>
    public void Keep(string self, IReadOnlyList<NodeRecord> live, HashSet<string> sharing, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
        foreach (NodeRecord peer in live)
        {
            if (peer.Id != self && sharing.Contains(peer.Id) && peer.Relay.Length > 0)
            {
                wanted[peer.Id] = peer;
            }
        }

        foreach ((string id, RelayPeer peer) in peers)
        {
            if (!wanted.TryGetValue(id, out NodeRecord? record))
            {
                Drop(id, live.Any(n => n.Id == id) ? "no room shared any more" : "its directory entry expired");
            }
            else if (record.Relay != peer.Relay || record.RelayFingerprint != peer.Fingerprint || peer.Failed || peer.Link.Closed)
            {
                Drop(id, "it restarted, failed or closed");
            }
        }

        foreach (NodeRecord record in wanted.Values)
        {
            if (!peers.Contains(record.Id))
            {
                Open(self, record, cancellationToken);
            }
        }
    }

    /// <summary>Each room's packets go to the connected links of the other nodes with members in it.</summary>
    public void PointRoomsAtLinks(string self, Dictionary<Room, IReadOnlyDictionary<string, int>> roomNodes)
    {
        foreach ((Room room, IReadOnlyDictionary<string, int> nodes) in roomNodes)
        {
            ImmutableArray<RelayLink>.Builder links = ImmutableArray.CreateBuilder<RelayLink>();
            foreach (string id in nodes.Keys.Order(StringComparer.Ordinal))
            {
                if (id != self && peers.TryGet(id, out RelayPeer? peer) && peer.Link.IsConnected)
                {
                    links.Add(peer.Link);
                }
            }

            if (!room.RelayLinks.SequenceEqual(links))
            {
                room.RelayLinks = links.ToImmutable();
            }
        }
    }

    /// <summary>Closes the link to <paramref name="peerId"/>, and its tracks end here.</summary>
    public void Drop(string peerId, string reason)
    {
        if (peers.TryRemove(peerId, out RelayPeer? peer))
        {
            peer.Link.Dispose();
            remote.EndAll(peerId);
            LogDropped(logger, peerId, reason);
        }
    }

    private void Open(string self, NodeRecord record, CancellationToken cancellationToken)
    {
        if (!TryParse(record, out IPEndPoint? remoteEndPoint, out DtlsFingerprint? pin))
        {
            LogUnusableEntry(logger, record.Id, record.Relay, record.RelayFingerprint);
            return;
        }

        RelayLink link = port.Open(self, record.Id, remoteEndPoint, pin, sink);
        var peer = new RelayPeer(link, record.Relay, record.RelayFingerprint);
        peers.Add(record.Id, peer);
        _ = ConnectAsync(peer, cancellationToken);
    }

    private async Task ConnectAsync(RelayPeer peer, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ConnectTimeout);
        try
        {
            if (await peer.Link.ConnectAsync(bounded.Token).ConfigureAwait(false))
            {
                LogLinked(logger, peer.Link.PeerNodeId, peer.Link.Remote, peer.Link.Role);

                // The peer's tracks can be read now rather than at the next beat.
                beat.Nudge();
                return;
            }

            LogLinkFailed(logger, peer.Link.PeerNodeId, peer.Link.Error ?? "handshake failed");
        }
        catch (OperationCanceledException)
        {
            LogLinkFailed(logger, peer.Link.PeerNodeId, "no handshake within the timeout");
        }

        peer.Failed = true;
    }

    private static bool TryParse(NodeRecord record, [NotNullWhen(true)] out IPEndPoint? remote, [NotNullWhen(true)] out DtlsFingerprint? pin)
    {
        pin = null;
        return IPEndPoint.TryParse(record.Relay, out remote)
            && DtlsFingerprint.TryParseAttribute(record.RelayFingerprint, out pin);
    }

    [LoggerMessage(EventId = 4521, Level = LogLevel.Information, Message = "Relay to node {PeerId} at {Remote} connected (DTLS {Role})")]
    private static partial void LogLinked(ILogger logger, string peerId, IPEndPoint remote, DtlsRole role);

    [LoggerMessage(EventId = 4522, Level = LogLevel.Warning, Message = "Relay to node {PeerId} failed: {Reason}; trying again next beat")]
    private static partial void LogLinkFailed(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 4523, Level = LogLevel.Information, Message = "Relay to node {PeerId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 4524, Level = LogLevel.Warning, Message = "Node {PeerId} announces an unusable relay '{Relay}' / '{Fingerprint}'")]
    private static partial void LogUnusableEntry(ILogger logger, string peerId, string relay, string fingerprint);
}
