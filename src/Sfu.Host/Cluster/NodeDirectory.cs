using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// The cluster's nodes in Redis: each writes its entry (<see cref="NodeRecord"/>) with a TTL
/// of <see cref="ClusterOptions.NodeTtl"/> on every heartbeat, so an entry whose node stopped
/// beating expires by itself; the set of node ids remembers who joined, so the survivors can
/// tell an expired entry from a node they never knew and clean up after it once.
/// </summary>
internal sealed class NodeDirectory(IConnectionMultiplexer redis, RedisKeys keys, IOptions<ClusterOptions> options)
{
    private readonly TimeSpan _ttl = options.Value.NodeTtl;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Writes the node's entry and renews its TTL.</summary>
    public async Task BeatAsync(NodeRecord node)
    {
        IBatch batch = Db.CreateBatch();
        RedisKey key = keys.Node(node.Id);

        // In this order on one connection: the id is never in the set without its entry.
        Task write = batch.HashSetAsync(key,
        [
            new HashEntry("url", node.Url),
            new HashEntry("media", node.MediaAddress),
            new HashEntry("participants", node.Participants),
            new HashEntry("tracks", node.Tracks),
            new HashEntry("cpu", node.Cpu.ToString("0.#", CultureInfo.InvariantCulture)),
            new HashEntry("capacity", node.Capacity),
            new HashEntry("relay", node.Relay),
            new HashEntry("relay-fingerprint", node.RelayFingerprint),
        ]);
        Task expire = batch.KeyExpireAsync(key, _ttl);
        Task join = batch.SetAddAsync(keys.Nodes, node.Id);
        batch.Execute();
        await Task.WhenAll(write, expire, join).ConfigureAwait(false);
    }

    /// <summary>Nodes whose entry is alive, by id.</summary>
    public async Task<IReadOnlyList<NodeRecord>> LiveAsync()
    {
        RedisValue[] ids = await Db.SetMembersAsync(keys.Nodes).ConfigureAwait(false);
        IBatch batch = Db.CreateBatch();
        Task<HashEntry[]>[] reads = [.. ids.Select(id => batch.HashGetAllAsync(keys.Node(id!)))];
        batch.Execute();
        await Task.WhenAll(reads).ConfigureAwait(false);
        var nodes = new List<NodeRecord>(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            HashEntry[] fields = reads[i].Result;
            if (fields.Length > 0)
            {
                nodes.Add(Read(ids[i]!, fields));
            }
        }

        nodes.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return nodes;
    }

    /// <summary>Nodes that joined and whose entry expired: they stopped beating.</summary>
    public async Task<IReadOnlyList<string>> ExpiredAsync()
    {
        RedisValue[] ids = await Db.SetMembersAsync(keys.Nodes).ConfigureAwait(false);
        IBatch batch = Db.CreateBatch();
        Task<bool>[] alive = [.. ids.Select(id => batch.KeyExistsAsync(keys.Node(id!)))];
        batch.Execute();
        await Task.WhenAll(alive).ConfigureAwait(false);
        return [.. ids.Where((_, i) => !alive[i].Result).Select(id => (string)id!)];
    }

    /// <summary>
    /// Takes a dead node off the directory; true for the one survivor that did it, which then
    /// cleans up after it (SREM answers 1 to exactly one caller).
    /// </summary>
    public Task<bool> TryRemoveAsync(string id) => Db.SetRemoveAsync(keys.Nodes, id);

    /// <summary>A node stopping on purpose leaves at once instead of waiting for its TTL.</summary>
    public async Task LeaveAsync(string id)
    {
        await Db.KeyDeleteAsync(keys.Node(id)).ConfigureAwait(false);
        await Db.SetRemoveAsync(keys.Nodes, id).ConfigureAwait(false);
    }

    private static NodeRecord Read(string id, HashEntry[] fields)
    {
        Dictionary<string, RedisValue> f = fields.ToDictionary(e => (string)e.Name!, e => e.Value, StringComparer.Ordinal);
        return new NodeRecord(
            id,
            (string?)f.GetValueOrDefault("url") ?? string.Empty,
            (string?)f.GetValueOrDefault("media") ?? string.Empty,
            (int)f.GetValueOrDefault("participants", 0),
            (int)f.GetValueOrDefault("tracks", 0),
            double.TryParse((string?)f.GetValueOrDefault("cpu"), NumberStyles.Float, CultureInfo.InvariantCulture, out double cpu) ? cpu : 0,
            (int)f.GetValueOrDefault("capacity", 0),
            (string?)f.GetValueOrDefault("relay") ?? string.Empty,
            (string?)f.GetValueOrDefault("relay-fingerprint") ?? string.Empty);
    }
}
