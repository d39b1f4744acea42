namespace Sfu.Host.Rooms;

/// <summary>
/// A store or announcer that follows who is in which room. <see cref="RoomLifecycle"/> calls
/// every observer, one after another in the order they were registered, once per event: a
/// room opens before its first participant joins, and closes after its last one left. Calls
/// for one room never overlap. Implement only the events you need.
/// </summary>
public interface IRoomObserver
{
    /// <summary>The first participant of <paramref name="room"/> is about to be announced.</summary>
    Task RoomOpenedAsync(string room) => Task.CompletedTask;

    /// <summary>A participant joined; its connection is <see cref="RoomMember.ConnectionId"/>.</summary>
    Task ParticipantJoinedAsync(RoomMember member) => Task.CompletedTask;

    /// <summary>
    /// The connection that speaks for a participant changed without it leaving: it was held
    /// after its connection dropped (<see cref="RoomMember.ConnectionId"/> is null now) or it
    /// resumed on a new one. <paramref name="previousConnectionId"/> speaks for it no more.
    /// </summary>
    Task ConnectionChangedAsync(RoomMember member, string? previousConnectionId) => Task.CompletedTask;

    /// <summary>
    /// A participant left, for good; <see cref="RoomMember.ConnectionId"/> is the connection
    /// that last spoke for it (null if it was held).
    /// </summary>
    Task ParticipantLeftAsync(RoomMember member, Departure departure) => Task.CompletedTask;

    /// <summary>The last participant of <paramref name="room"/> left.</summary>
    Task RoomClosedAsync(string room) => Task.CompletedTask;
}
