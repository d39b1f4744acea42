using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// The tracks each node relays, in one Redis hash per node (<c>node-tracks:{id}</c>) with the
/// node entry's TTL: renewed on every beat, rewritten only when the set changed, and gone by
/// itself when the node dies, so the others drop its tracks with nothing to clean up. A hash
/// per node rather than per room: a node's beat writes one key, and a reader fetches once per
/// peer node whatever the number of rooms they share. A node that rewrote its hash names
/// itself on the <c>node-tracks-changed</c> channel, so the others read it at once instead of
/// at their next beat; the beat still reads everything, so a lost message costs one interval.
/// </summary>
internal sealed class RedisTrackRegistry(IConnectionMultiplexer redis, RedisKeys keys, IOptions<ClusterOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TimeSpan _ttl = options.Value.NodeTtl;
    private Dictionary<string, string> _written = new(StringComparer.Ordinal);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Publishes this node's relayed tracks (the whole set) and renews their TTL. Heartbeat thread.</summary>
    public async Task PublishAsync(string nodeId, IReadOnlyCollection<RelayedTrack> tracks)
    {
        var entries = new Dictionary<string, string>(tracks.Count, StringComparer.Ordinal);
        foreach (RelayedTrack track in tracks)
        {
            entries[track.Field] = JsonSerializer.Serialize(track, Json);
        }

        RedisKey key = keys.NodeTracks(nodeId);
        if (SameAs(entries, _written))
        {
            if (entries.Count > 0)
            {
                _ = await Db.KeyExpireAsync(key, _ttl).ConfigureAwait(false);
            }

            return;
        }

        ITransaction write = Db.CreateTransaction();
        _ = write.KeyDeleteAsync(key);
        if (entries.Count > 0)
        {
            _ = write.HashSetAsync(key, [.. entries.Select(e => new HashEntry(e.Key, e.Value))]);
            _ = write.KeyExpireAsync(key, _ttl);
        }

        if (await write.ExecuteAsync().ConfigureAwait(false))
        {
            _written = entries;
            _ = await Db.PublishAsync(keys.TracksChanged, nodeId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Calls <paramref name="changed"/> with the id of each other node that rewrote its tracks,
    /// from now on (StackExchange.Redis subscribes again after a reconnect). On Redis's thread.
    /// </summary>
    public Task WatchAsync(string selfId, Action<string> changed)
        => redis.GetSubscriber().SubscribeAsync(keys.TracksChanged, (_, message) =>
        {
            string? nodeId = message;
            if (nodeId is not null && nodeId != selfId)
            {
                changed(nodeId);
            }
        });

    /// <summary>What node <paramref name="nodeId"/> relays now; entries that do not parse are skipped.</summary>
    public async Task<IReadOnlyList<RelayedTrack>> ReadAsync(string nodeId)
    {
        HashEntry[] entries = await Db.HashGetAllAsync(keys.NodeTracks(nodeId)).ConfigureAwait(false);
        var tracks = new List<RelayedTrack>(entries.Length);
        foreach (HashEntry entry in entries)
        {
            try
            {
                if (JsonSerializer.Deserialize<RelayedTrack>(entry.Value.ToString(), Json) is { Track: not null } track)
                {
                    tracks.Add(track);
                }
            }
            catch (JsonException)
            {
                // Written by a node of another version: its tracks are not relayed here.
            }
        }

        return tracks;
    }

    /// <summary>Removes this node's tracks at once (it stops), instead of after their TTL.</summary>
    public async Task ForgetAsync(string nodeId)
    {
        _written = new Dictionary<string, string>(StringComparer.Ordinal);
        _ = await Db.KeyDeleteAsync(keys.NodeTracks(nodeId)).ConfigureAwait(false);
        _ = await Db.PublishAsync(keys.TracksChanged, nodeId).ConfigureAwait(false);
    }

    private static bool SameAs(Dictionary<string, string> a, Dictionary<string, string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach ((string field, string value) in a)
        {
            if (!b.TryGetValue(field, out string? other) || other != value)
            {
                return false;
            }
        }

        return true;
    }
}
