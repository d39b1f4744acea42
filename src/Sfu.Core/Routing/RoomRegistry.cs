using System.Collections.Concurrent;
using System.Collections.Immutable;
using Sfu.Core.Diagnostics;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>The live rooms by name; a room exists while it has participants.</summary>
/// <param name="fanOut">Given to every room: where large fan-outs are split over cores (null: never).</param>
public sealed class RoomRegistry(TimeProvider time, FanOutWorkers? fanOut = null) : IMediaGauges
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
            Room room = _rooms.GetOrAdd(name, n => new Room(n, time, fanOut));
            if (maxParticipants > 0 && room.Participants.Length >= maxParticipants)
            {
                throw new SignalingException($"The room '{name}' is full: it admits {maxParticipants} participants.");
            }

            Participant participant = create(room);
            room.Add(participant);
            return participant;
        }
    }

    /// <summary>Takes the participant out of its room, and the room out of the registry once empty.</summary>
    internal ImmutableArray<Producer> Exit(Participant participant, out bool left)
    {
        lock (_gate)
        {
            Room room = participant.Room;
            ImmutableArray<Producer> ended = room.Leave(participant, out left, out bool empty);
            if (empty)
            {
                _rooms.TryRemove(new KeyValuePair<string, Room>(room.Name, room));
            }

            return ended;
        }
    }

    int IMediaGauges.Rooms => _rooms.Count;

    int IMediaGauges.Participants => Count(_ => 1);

    int IMediaGauges.PublishedTracks => Count(p => p.Producers.Length);

    int IMediaGauges.Subscriptions => Count(p => p.DownTracks.Length);

    private int Count(Func<Participant, int> count)
    {
        int total = 0;
        foreach (Room room in _rooms.Values)
        {
            foreach (Participant participant in room.Participants)
            {
                total += count(participant);
            }
        }

        return total;
    }
}
