using System.Globalization;
using Sfu.Core.Negotiation;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// The m-sections of one participant's peer connection in SDP order, found by mid in constant
/// time (a large room's offer has hundreds). Sections are never removed (RFC 8829 §5.2.2):
/// a freed one is recycled for the next track of its kind. The caller holds the negotiation
/// lock.
/// </summary>
internal sealed class MediaSlots
{
    private readonly List<MediaSlot> _slots = [];
    private readonly Dictionary<string, MediaSlot> _byMid = new(StringComparer.Ordinal);
    private int _nextServerMid;

    public IReadOnlyList<MediaSlot> All => _slots;

    public MediaSlot? Find(string mid) => _byMid.GetValueOrDefault(mid);

    /// <summary>Makes sure every section of the participant's offer has a slot of the same kind.</summary>
    public void EnsureOffered(SessionDescription offer)
    {
        foreach (MediaDescription media in offer.Media)
        {
            string mid = media.Mid ?? throw new SignalingException("The offer has an m-section without a=mid.");
            MediaSlot? slot = Find(mid);
            if (slot is null)
            {
                // A section we cannot carry (data channels, say) is answered rejected, now and later.
                Add(new MediaSlot(mid, media.Kind, serverOwned: false)
                {
                    Rejected = media.Kind is not (MediaKind.Audio or MediaKind.Video) && !media.IsRejected,
                });
            }
            else if (slot.Kind != media.Kind)
            {
                throw new SignalingException($"m-section '{mid}' changed kind from {slot.Kind} to {media.Kind}.");
            }
        }
    }

    /// <summary>Gives each unplaced down-track an m-section: a free one of its kind, else a new one.</summary>
    public void Place(IEnumerable<DownTrack> downTracks)
    {
        // The free sections are found in one pass, then taken in SDP order: placing is linear
        // in sections plus tracks, however many of each an offer has.
        Dictionary<MediaKind, Queue<MediaSlot>>? free = null;
        foreach (DownTrack downTrack in downTracks)
        {
            if (downTrack.Mid is not null)
            {
                continue;
            }

            free ??= FreeServerSlots();
            MediaKind kind = downTrack.Source.Kind;
            if (!free.TryGetValue(kind, out Queue<MediaSlot>? ofKind) || !ofKind.TryDequeue(out MediaSlot? slot))
            {
                string mid;
                do
                {
                    mid = "s" + _nextServerMid++.ToString(CultureInfo.InvariantCulture);
                }
                while (Find(mid) is not null);

                slot = new MediaSlot(mid, kind, serverOwned: true);
                Add(slot);
            }

            slot.DownTrack = downTrack;
            slot.Rejected = false;
            downTrack.Mid = slot.Mid;
        }
    }

    private Dictionary<MediaKind, Queue<MediaSlot>> FreeServerSlots()
    {
        var free = new Dictionary<MediaKind, Queue<MediaSlot>>();
        foreach (MediaSlot slot in _slots)
        {
            if (slot.ServerOwned && slot.IsFree)
            {
                if (!free.TryGetValue(slot.Kind, out Queue<MediaSlot>? ofKind))
                {
                    free[slot.Kind] = ofKind = new Queue<MediaSlot>();
                }

                ofKind.Enqueue(slot);
            }
        }

        return free;
    }

    /// <summary>Frees the section a departed down-track used.</summary>
    public void Free(DownTrack downTrack)
    {
        if (downTrack.Mid is string mid && Find(mid) is { } slot && slot.DownTrack == downTrack)
        {
            slot.DownTrack = null;
        }
    }

    private void Add(MediaSlot slot)
    {
        _slots.Add(slot);
        _byMid[slot.Mid] = slot;
    }
}
