using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Routing;

/// <summary>
/// SSRC → value, read on every received packet and changed a few times in a call. One array of
/// (SSRC, value) pairs, scanned: a participant sends a handful of SSRCs (each published track,
/// three per simulcast track; <see cref="MediaLimits.MaxPublishedTracks"/> bounds them), so the
/// scan costs less than hashing, and a packet reaches its value through one array instead of
/// the four objects a concurrent dictionary chains (the table, its tables, the buckets, the
/// node), each a likely cache miss when packets of many peers take turns on a thread.
/// </summary>
/// <remarks>
/// Readers take the current array without a lock, from any thread; writers copy it under a
/// lock and publish the copy, so a reader sees the table before or after a change, never half of one.
/// </remarks>
internal sealed class SsrcTable<T>
    where T : class
{
    private readonly Lock _writeLock = new();
    private Entry[] _entries = [];

    public bool TryGetValue(uint ssrc, [MaybeNullWhen(false)] out T value)
    {
        foreach (ref readonly Entry entry in Volatile.Read(ref _entries).AsSpan())
        {
            if (entry.Ssrc == ssrc)
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public bool ContainsKey(uint ssrc) => TryGetValue(ssrc, out _);

    /// <summary>Adds <paramref name="ssrc"/>, or gives it <paramref name="value"/> in place of its old one.</summary>
    public void Set(uint ssrc, T value)
    {
        lock (_writeLock)
        {
            Entry[] entries = _entries;
            int at = IndexOf(entries, ssrc);
            Entry[] copy;
            if (at >= 0)
            {
                copy = (Entry[])entries.Clone();
            }
            else
            {
                copy = new Entry[entries.Length + 1];
                entries.CopyTo(copy, 0);
                at = entries.Length;
            }

            copy[at] = new Entry(ssrc, value);
            Volatile.Write(ref _entries, copy);
        }
    }

    /// <summary>Removes <paramref name="ssrc"/> when it still maps to <paramref name="value"/> (another owner may have taken it since).</summary>
    public bool Remove(uint ssrc, T value)
    {
        lock (_writeLock)
        {
            Entry[] entries = _entries;
            int at = IndexOf(entries, ssrc);
            if (at < 0 || !ReferenceEquals(entries[at].Value, value))
            {
                return false;
            }

            var copy = new Entry[entries.Length - 1];
            entries.AsSpan(0, at).CopyTo(copy);
            entries.AsSpan(at + 1).CopyTo(copy.AsSpan(at));
            Volatile.Write(ref _entries, copy);
            return true;
        }
    }

    private static int IndexOf(Entry[] entries, uint ssrc)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (entries[i].Ssrc == ssrc)
            {
                return i;
            }
        }

        return -1;
    }

    private readonly struct Entry(uint ssrc, T value)
    {
        public readonly T Value = value;
        public readonly uint Ssrc = ssrc;
    }
}
