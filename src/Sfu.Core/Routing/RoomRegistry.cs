using System.Collections.Concurrent;

namespace Sfu.Core.Routing;

/// <summary>The live rooms by name; a room exists while it has participants.</summary>
public sealed class RoomRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IReadOnlyCollection<Room> Rooms => (IReadOnlyCollection<Room>)_rooms.Values;

    public Room? Find(string name) => _rooms.GetValueOrDefault(name);

    internal Participant Enter(string name, Func<Room, Participant> create)
    {
        lock (_gate)
        {
            Room room = _rooms.GetOrAdd(name, n => new Room(n, time));
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
