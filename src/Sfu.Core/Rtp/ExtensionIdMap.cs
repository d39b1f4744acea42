using System.Runtime.CompilerServices;

namespace Sfu.Core.Rtp;

/// <summary>
/// Maps a publisher's header extension ids to one subscriber's ids for the same extension
/// URI (RFC 8285 §5: ids are local to each SDP negotiation). 0 means "drop the element".
/// Built once per publisher/subscriber pair at setup; lookups are a single array index.
/// </summary>
public struct ExtensionIdMap
{
    private IdTable _table;

    /// <summary>Maps <paramref name="sourceId"/> to <paramref name="targetId"/>; 0 drops the element.</summary>
    public void Set(byte sourceId, byte targetId)
    {
        if (sourceId != 0)
        {
            _table[sourceId] = targetId;
        }
    }

    /// <summary>The subscriber id for a publisher id, or 0 when the element must be dropped.</summary>
    public readonly byte Get(byte sourceId) => _table[sourceId];

    /// <summary>
    /// Builds the map from both sides' negotiated a=extmap lines: every publisher id whose URI
    /// the subscriber also negotiated maps to the subscriber's id; all others are dropped.
    /// URIs compare ordinally (they are URIs, not display text).
    /// </summary>
    public static ExtensionIdMap FromUris(
        IEnumerable<KeyValuePair<byte, string>> publisher,
        IEnumerable<KeyValuePair<byte, string>> subscriber)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(subscriber);

        var byUri = new Dictionary<string, byte>(StringComparer.Ordinal);
        foreach (KeyValuePair<byte, string> entry in subscriber)
        {
            byUri.TryAdd(entry.Value, entry.Key);
        }

        var map = default(ExtensionIdMap);
        foreach (KeyValuePair<byte, string> entry in publisher)
        {
            if (byUri.TryGetValue(entry.Value, out byte target))
            {
                map.Set(entry.Key, target);
            }
        }

        return map;
    }

    [InlineArray(256)]
    private struct IdTable
    {
        private byte _element;
    }
}
