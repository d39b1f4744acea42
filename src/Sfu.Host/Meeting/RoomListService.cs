using Microsoft.AspNetCore.SignalR;
using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// The lobby's list of live rooms with their head counts. Lobby pages join the "lobby"
/// SignalR group through WatchRooms and get RoomsChanged after every join and leave.
/// </summary>
public sealed class RoomListService(SfuEngine engine, IHubContext<SfuHub, ISfuClient> hub) : IRoomObserver
{
    public const string LobbyGroup = "lobby";

    /// <summary>Rooms with at least one participant, by name.</summary>
    public IReadOnlyList<RoomSummary> Current()
    {
        var list = new List<RoomSummary>();
        foreach (Room room in engine.Rooms.Rooms)
        {
            int count = room.Participants.Length;
            if (count > 0)
            {
                list.Add(new RoomSummary(room.Name, count, engine.MaxParticipantsPerRoom));
            }
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    public Task ParticipantJoinedAsync(RoomMember member) => PublishAsync();

    public Task ParticipantLeftAsync(RoomMember member, Departure departure) => PublishAsync();

    private Task PublishAsync() => hub.Clients.Group(LobbyGroup).RoomsChanged(Current());
}
