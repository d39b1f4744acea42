using Sfu.Host.Meeting;
using Sfu.Host.Signaling;

namespace Sfu.Host.Rooms;

/// <summary>
/// Who is in which room, wherever they are connected: this server alone
/// (<see cref="LocalRoomRoster"/>, the default) or every node of a cluster
/// (<see cref="Cluster.RedisRoomRoster"/>). It hears the lifecycle's events like any
/// observer, and is registered after the chat (whose last notice it may drop with the room)
/// and before the lobby (which reads it).
/// </summary>
public interface IRoomRoster : IRoomObserver
{
    /// <summary>Rooms with at least one participant, by name, with their head counts.</summary>
    Task<IReadOnlyList<RoomSummary>> RoomsAsync();

    /// <summary>Members of <paramref name="room"/> connected to other nodes (none on a single server).</summary>
    Task<IReadOnlyList<ParticipantInfo>> RemoteParticipantsAsync(string room);
}
