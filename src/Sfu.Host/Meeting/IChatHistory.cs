namespace Sfu.Host.Meeting;

/// <summary>
/// The recent lines of each open room (the last <see cref="ChatService.HistorySize"/>), kept
/// in this process (<see cref="LocalChatHistory"/>, the default) or in the cluster's Redis
/// (<see cref="Cluster.RedisChatHistory"/>), so a newcomer on any node gets the same history.
/// </summary>
public interface IChatHistory
{
    /// <summary>The room opened on this server; lines are kept from now on.</summary>
    Task RoomOpenedAsync(string room);

    /// <summary>Keeps the line while the room is open; a line racing the room's close is dropped.</summary>
    Task AppendAsync(string room, ChatMessage message);

    /// <summary>The room's recent lines, oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> RecentAsync(string room);

    /// <summary>
    /// The room closed on this server. A single server forgets its lines; a cluster keeps them
    /// while another node still hosts the room (the roster drops them when the last one leaves).
    /// </summary>
    Task RoomClosedAsync(string room);
}
