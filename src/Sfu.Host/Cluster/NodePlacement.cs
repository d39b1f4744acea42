namespace Sfu.Host.Cluster;

/// <summary>
/// Which node a newcomer to a room should use: a live node already hosting the room and
/// with room for one more (the one hosting most of it, so the room spans as few nodes as
/// possible), else the live node with the fewest participants (then the least CPU). Null
/// when every node is full. The loads are the directory's, at most one heartbeat old.
/// </summary>
internal sealed class NodePlacement(NodeDirectory directory, RedisRoomRoster roster)
{
    public async Task<NodeRecord?> PlaceAsync(string room)
    {
        IReadOnlyList<NodeRecord> live = await directory.LiveAsync().ConfigureAwait(false);
        IReadOnlyDictionary<string, int> hosting = await roster.NodesOfAsync(room).ConfigureAwait(false);
        return Choose(live, hosting);
    }

    internal static NodeRecord? Choose(IReadOnlyList<NodeRecord> live, IReadOnlyDictionary<string, int> hosting)
        => live.Where(n => n.HasRoom && hosting.ContainsKey(n.Id))
               .OrderByDescending(n => hosting[n.Id]).ThenBy(n => n.Id, StringComparer.Ordinal)
               .FirstOrDefault()
           ?? live.Where(n => n.HasRoom)
               .OrderBy(n => n.Participants).ThenBy(n => n.Cpu).ThenBy(n => n.Id, StringComparer.Ordinal)
               .FirstOrDefault();
}
