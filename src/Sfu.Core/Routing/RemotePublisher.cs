using System.Collections.Immutable;

namespace Sfu.Core.Routing;

/// <summary>
/// A member of a room that is connected to another node of the cluster. Its tracks are
/// producers like any other, fed by the relay link to <see cref="NodeId"/> instead of a peer
/// transport; this node forwards them to its own members and never relays them on (only the
/// node a publisher is connected to sends its packets to the others, so nothing loops).
/// </summary>
public sealed class RemotePublisher : IPublisher
{
    private ImmutableArray<Producer> _producers = [];

    internal RemotePublisher(string nodeId, string id, Room room)
    {
        NodeId = nodeId;
        Id = id;
        Room = room;
    }

    /// <summary>The node the publisher is connected to, where its tracks come from.</summary>
    public string NodeId { get; }

    public string Id { get; }

    public Room Room { get; }

    public ImmutableArray<Producer> Producers => _producers;

    /// <summary>Remote publishers are dropped from the room once their last track ends, never closed.</summary>
    public bool IsClosed => false;

    /// <summary>Under the room's lock.</summary>
    internal void Add(Producer producer) => _producers = _producers.Add(producer);

    /// <summary>Under the room's lock; true when no track is left.</summary>
    internal bool Remove(Producer producer)
    {
        _producers = _producers.Remove(producer);
        return _producers.IsEmpty;
    }
}
