using System.Collections.Concurrent;
using Sfu.Host.Rooms;

namespace Sfu.Host.Tests;

/// <summary>
/// An observer of the real server's room lifecycle, registered after the server's own: it
/// writes down every event it is told, in order, as "opened room", "joined id", "moved id",
/// "left id Cause reason" and "closed room".
/// </summary>
internal sealed class LifecycleRecorder : IRoomObserver
{
    public ConcurrentQueue<string> Events { get; } = new();

    public int Count(string prefix) => Events.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));

    public Task RoomOpenedAsync(string room) => Record($"opened {room}");

    public Task ParticipantJoinedAsync(RoomMember member) => Record($"joined {member.Id}");

    public Task ConnectionChangedAsync(RoomMember member, string? previousConnectionId) => Record($"moved {member.Id}");

    public Task ParticipantLeftAsync(RoomMember member, Departure departure) => Record($"left {member.Id} {departure.Cause} {departure.Reason}");

    public Task RoomClosedAsync(string room) => Record($"closed {room}");

    private Task Record(string line)
    {
        Events.Enqueue(line);
        return Task.CompletedTask;
    }
}
