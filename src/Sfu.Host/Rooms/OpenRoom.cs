namespace Sfu.Host.Rooms;

/// <summary>
/// A room from its first join to its last departure, as <see cref="RoomLifecycle"/> keeps it.
/// <see cref="Gate"/> serializes every join, departure and connection change of the room and
/// the observer calls they make, so the observers see a room's events in order.
/// </summary>
internal sealed class OpenRoom(string name)
{
    public string Name { get; } = name;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Who is in the room; changed under <see cref="Gate"/>.</summary>
    public HashSet<RoomMember> Members { get; } = [];

    /// <summary>Closed rooms are never reopened: a later join opens a new one of the same name.</summary>
    public bool IsClosed { get; set; }

    /// <summary>The observers heard RoomOpened; they hear RoomClosed once it empties.</summary>
    public bool Announced { get; set; }
}
