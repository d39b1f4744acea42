using System.Collections.Concurrent;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>The live rooms by name; a room exists while it has participants.</summary>
public sealed class RoomRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IReadOnlyCollection<Room> Rooms => (IReadOnlyCollection<Room>)_rooms.Values;

    public Room? Find(string name) => _rooms.GetValueOrDefault(name);

    /// <summary>
    /// Creates a participant in the named room (made on first use), unless the room already
    /// holds <paramref name="maxParticipants"/> (0: no limit); the check and the entry are one
    /// step, so joins that race cannot overfill it.
    /// </summary>
    /// <exception cref="SignalingException">The room is full.</exception>
    internal Participant Enter(string name, int maxParticipants, Func<Room, Participant> create)
    {
        lock (_gate)
        {
            Room room = _rooms.GetOrAdd(name, n => new Room(n, time));
            if (maxParticipants > 0 && room.Participants.Length >= maxParticipants)
            {
                throw new SignalingException($"The room '{name}' is full: it admits {maxParticipants} participants.");
            }

            Participant participant = create(room);
            room.Add(participant);
            return participant;
        }
    }

    internal void Exit(Room room, Participant participant)
    {
        lock (_gate)
        {
            if (room.Remove(participant))
            {
                _rooms.TryRemove(new KeyValuePair<string, Room>(room.Name, room));
            }
        }
    }
}
