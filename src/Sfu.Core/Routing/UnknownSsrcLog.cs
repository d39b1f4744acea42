using System.Globalization;
using Sfu.Core.Rtp;

namespace Sfu.Core.Routing;

/// <summary>
/// The first few SSRCs a participant sent packets on that no layer of theirs owns, with what
/// those packets carried: whether they named a rid or a mid (a simulcast layer is bound only
/// from a packet with its rid, RFC 8852 §3.1), their payload type, and whether they were padding.
/// For diagnostics: what an operator or a failing test reads when a layer never starts. Written
/// on the media path only for packets that are dropped anyway; no allocation.
/// </summary>
internal sealed class UnknownSsrcLog
{
    private const int Kept = 4;
    private readonly Entry[] _entries = new Entry[Kept];
    private int _count;

    /// <summary>Notes one packet on an unknown SSRC. Media path (under the room's media gate).</summary>
    public void Note(in RtpPacket view, byte ridExtensionId, byte midExtensionId)
    {
        int i = 0;
        while (i < _count && _entries[i].Ssrc != view.Ssrc)
        {
            i++;
        }

        if (i == _count)
        {
            if (_count == Kept)
            {
                return;
            }

            _entries[i].Ssrc = view.Ssrc;
            _entries[i].PayloadType = view.PayloadType;
            _count++;
        }

        ref Entry entry = ref _entries[i];
        entry.Packets++;
        if (ridExtensionId != 0 && view.TryGetExtension(ridExtensionId, out _))
        {
            entry.WithRid++;
        }

        if (midExtensionId != 0 && view.TryGetExtension(midExtensionId, out _))
        {
            entry.WithMid++;
        }

        if (view.Payload.IsEmpty)
        {
            entry.Empty++;
        }
    }

    /// <summary>One line for diagnostics (allocates; a reader on another thread may see counts mid-update).</summary>
    public string Describe()
    {
        var lines = new List<string>();
        for (int i = 0; i < Volatile.Read(ref _count); i++)
        {
            Entry e = _entries[i];
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{e.Ssrc}: {e.Packets} packets, pt {e.PayloadType}, {e.WithRid} with a rid, {e.WithMid} with a mid, {e.Empty} without payload"));
        }

        return string.Join("; ", lines);
    }

    private struct Entry
    {
        public uint Ssrc;
        public byte PayloadType;
        public long Packets;
        public long WithRid;
        public long WithMid;
        public long Empty;
    }
}
