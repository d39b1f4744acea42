using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// One track a node relays, as the other nodes read it from Redis: the room, the publisher's
/// participant id (the stream id its subscribers see) and what the publisher's offer
/// negotiated with the origin node: mid, kind, SSRC, track id, codec with the origin's payload
/// type, and the origin's header-extension ids. The relayed packets keep all of these; the
/// receiving node maps them to each subscriber's own as it does for a local publisher.
/// </summary>
internal sealed record RelayedTrack(string Room, string ParticipantId, PublishedTrack Track)
{
    /// <summary>The hash field naming the track on its node (unique per room, publisher and m-section).</summary>
    public string Field => $"{Room}/{ParticipantId}/{Track.Mid}";
}
