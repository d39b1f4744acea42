using System.Collections.Immutable;

namespace Sfu.Core.Routing;

/// <summary>
/// A set of participants who receive each other's tracks. Membership changes under a lock on
/// the signaling path; the packet path never touches the room.
/// </summary>
public sealed class Room
{
    private readonly Lock _gate = new();
    private ImmutableArray<Participant> _participants = [];

    public Room(string name, TimeProvider time)
    {
        Name = name;
        CreatedAt = time.GetUtcNow();
    }

    public string Name { get; }

    public DateTimeOffset CreatedAt { get; }

    public ImmutableArray<Participant> Participants => _participants;

    public bool IsEmpty => _participants.IsEmpty;

    internal void Add(Participant participant)
    {
        lock (_gate)
        {
            _participants = _participants.Add(participant);
        }
    }

    /// <summary>Removes the participant; true when the room is now empty.</summary>
    internal bool Remove(Participant participant)
    {
        lock (_gate)
        {
            _participants = _participants.Remove(participant);
            return _participants.IsEmpty;
        }
    }
}
