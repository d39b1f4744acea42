using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Meeting;
using Sfu.Host.Signaling;

namespace Sfu.Host.Rooms;

/// <summary>The roster of a single server: the media plane's own rooms are the truth, nothing is stored twice.</summary>
internal sealed class LocalRoomRoster(SfuEngine engine) : IRoomRoster
{
    public Task<IReadOnlyList<RoomSummary>> RoomsAsync()
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
        return Task.FromResult<IReadOnlyList<RoomSummary>>(list);
    }

    public Task<IReadOnlyList<ParticipantInfo>> RemoteParticipantsAsync(string room) => Task.FromResult<IReadOnlyList<ParticipantInfo>>([]);
}
