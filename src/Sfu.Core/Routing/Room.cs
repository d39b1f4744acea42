using System.Collections.Immutable;
using Sfu.Core.Relay;

namespace Sfu.Core.Routing;

/// <summary>
/// A set of participants who receive each other's tracks. The room owns who receives what:
/// joining, publishing, unpublishing and leaving change the subscription graph under its one
/// lock, so a publication racing its publisher's departure cannot leave a down-track on a
/// dead producer. Renegotiation is asked for after the lock is released (a member's
/// negotiation lock is never held while the room's is taken). The packet path never touches
/// the room.
/// </summary>
public sealed class Room
{
    private readonly Lock _gate = new();
    private ImmutableArray<Participant> _participants = [];
    private ImmutableArray<RemotePublisher> _remotePublishers = [];
    private ImmutableArray<RelayLink> _relayLinks = [];

    public Room(string name, TimeProvider time, FanOutWorkers? fanOut = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        Name = name;
        CreatedAt = time.GetUtcNow();
        FanOut = fanOut;
    }

    /// <summary>Where a fan-out to many members is split over cores (under this room's media gate); null: never split.</summary>
    internal FanOutWorkers? FanOut { get; }

    public string Name { get; }

    /// <summary>
    /// Held while a datagram of any member is handled (its decryption, the fan-out to members'
    /// down-tracks, their encryption and numbering, and feedback that touches either side). A
    /// room's packets are then handled one at a time whichever media thread received them,
    /// while other rooms forward in parallel: every structure a packet touches belongs to its
    /// room (producers, down-tracks, SRTP contexts, NACK and TWCC state) or is safe from any
    /// thread (counters, the retransmission budget, the peer directory). Uncontended unless
    /// two members' datagrams are handled on two threads at the same moment.
    /// </summary>
    internal Lock MediaGate { get; } = new();

    public DateTimeOffset CreatedAt { get; }

    public ImmutableArray<Participant> Participants => _participants;

    /// <summary>The participant heard most right now, as the host's speaker detection says; its camera goes first when bandwidth is short.</summary>
    public string? DominantSpeaker { get; set; }

    public bool IsEmpty => _participants.IsEmpty;

    /// <summary>Members connected to other nodes that publish tracks here (empty on a single server).</summary>
    public ImmutableArray<RemotePublisher> RemotePublishers => _remotePublishers;

    /// <summary>
    /// The links to the other nodes that host members of this room: every packet of a track
    /// published on this node goes once to each, however many members that node has. Set by
    /// the cluster's relay bookkeeping; empty on a single server. The packet path reads it once
    /// per packet without a lock (an immutable array is swapped whole).
    /// </summary>
    public ImmutableArray<RelayLink> RelayLinks
    {
        get => _relayLinks;
        set => _relayLinks = value;
    }

    internal void Add(Participant participant)
    {
        lock (_gate)
        {
            _participants = _participants.Add(participant);
        }
    }

    /// <summary>
    /// A member's offer started and stopped tracks: every other member subscribes to the new
    /// ones and loses the old ones; a newcomer's first offer also subscribes it to everything
    /// already published. Then everyone whose subscriptions changed gets a server offer.
    /// </summary>
    internal void ChangePublications(Participant publisher, IReadOnlyList<Producer> published, IReadOnlyList<Producer> unpublished, bool subscribeToRoom)
    {
        lock (_gate)
        {
            if (publisher.IsClosed)
            {
                return;
            }

            publisher.SetPublished(published, unpublished);
            foreach (Producer producer in unpublished)
            {
                EndProducer(producer);
            }

            foreach (Participant other in _participants)
            {
                if (other == publisher)
                {
                    continue;
                }

                foreach (Producer producer in published)
                {
                    other.Subscribe(producer);
                }

                if (subscribeToRoom)
                {
                    foreach (Producer producer in other.Producers)
                    {
                        publisher.Subscribe(producer);
                    }
                }
            }

            if (subscribeToRoom)
            {
                foreach (RemotePublisher remote in _remotePublishers)
                {
                    foreach (Producer producer in remote.Producers)
                    {
                        publisher.Subscribe(producer);
                    }
                }
            }
        }

        RequestRenegotiation();
    }

    /// <summary>
    /// Takes a participant out: its tracks end at every subscriber and its subscriptions end;
    /// the caller then asks the others to renegotiate (<see cref="RequestRenegotiation"/>).
    /// Returns the producers that ended; <paramref name="left"/> is false when it had left
    /// already, <paramref name="empty"/> true when nobody is left.
    /// </summary>
    internal ImmutableArray<Producer> Leave(Participant participant, out bool left, out bool empty)
    {
        ImmutableArray<Producer> ended;
        lock (_gate)
        {
            empty = _participants.IsEmpty;
            left = participant.TryClose();
            if (!left)
            {
                return [];
            }

            ended = participant.Detach();
            foreach (Producer producer in ended)
            {
                EndProducer(producer);
            }

            _participants = _participants.Remove(participant);
            empty = _participants.IsEmpty;
        }

        return ended;
    }

    /// <summary>
    /// A track published on another node: a producer of the <see cref="RemotePublisher"/> for
    /// <paramref name="participantId"/> (made on its first track), to which every member here
    /// subscribes; a server offer follows. <paramref name="bind"/> gives its layer its stream
    /// before anyone can subscribe.
    /// </summary>
    internal Producer PublishRemote(string nodeId, string participantId, PublishedTrack track, TimeProvider time, Action<Producer> bind)
    {
        Producer producer;
        lock (_gate)
        {
            RemotePublisher? owner = null;
            foreach (RemotePublisher remote in _remotePublishers)
            {
                if (remote.Id == participantId && remote.NodeId == nodeId)
                {
                    owner = remote;
                    break;
                }
            }

            if (owner is null)
            {
                owner = new RemotePublisher(nodeId, participantId, this);
                _remotePublishers = _remotePublishers.Add(owner);
            }

            producer = new Producer(owner, track, time);
            bind(producer);
            owner.Add(producer);
            foreach (Participant participant in _participants)
            {
                participant.Subscribe(producer);
            }
        }

        RequestRenegotiation();
        return producer;
    }

    /// <summary>A track published on another node ended there (or its node is gone): it ends here as any track does.</summary>
    internal void UnpublishRemote(Producer producer)
    {
        lock (_gate)
        {
            if (producer.Owner is not RemotePublisher owner || producer.IsClosed)
            {
                return;
            }

            EndProducer(producer);
            if (owner.Remove(producer))
            {
                _remotePublishers = _remotePublishers.Remove(owner);
            }
        }

        RequestRenegotiation();
    }

    /// <summary>Sends each member whose subscriptions changed one server offer covering every change so far.</summary>
    internal void RequestRenegotiation()
    {
        foreach (Participant participant in _participants)
        {
            participant.Negotiation.RequestRenegotiation();
        }
    }

    private static void EndProducer(Producer producer)
    {
        foreach (DownTrack downTrack in producer.Close())
        {
            downTrack.Subscriber.Unsubscribe(downTrack);
        }
    }
}
