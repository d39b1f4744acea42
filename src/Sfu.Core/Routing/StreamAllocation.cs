namespace Sfu.Core.Routing;

/// <summary>What one subscribed track asks of the subscriber's budget.</summary>
/// <param name="IsAudio">Audio is served first and never paused.</param>
/// <param name="Priority">Lower goes first: screen share, then the active speaker's camera, then the rest.</param>
/// <param name="LayerBitrates">What each layer costs, lowest first (one entry without simulcast).</param>
/// <param name="Requested">The highest layer the subscriber wants (by size or pin); -1 when it wants none.</param>
/// <param name="Current">The layer being forwarded now, -1 when none: moving above it needs the headroom.</param>
public readonly record struct TrackDemand(bool IsAudio, int Priority, long[] LayerBitrates, int Requested, int Current);

/// <summary>
/// Splits a subscriber's estimated bandwidth between its tracks, the way LiveKit's
/// allocateAllTracks and mediasoup's DistributeAvailableOutgoingBitrate do: audio first; then
/// every wanted video gets its lowest layer, in priority order, while the budget lasts (a video
/// the budget cannot carry is paused rather than starve the audio); then layers are added one
/// step per track per round, in priority order, up to what each subscriber wants. Going above
/// what a track sends now needs 15 % headroom (as Jitsi's allocator does), so a budget near a
/// layer's cost does not flip it up and down. Pure.
/// </summary>
public static class StreamAllocation
{
    public const double Headroom = 1.15;

    /// <summary>The layer each track gets (-1: paused), and the bitrate all of them together are given.</summary>
    public static long Allocate(long budget, ReadOnlySpan<TrackDemand> tracks, Span<int> layers)
    {
        long allocated = 0;
        for (int i = 0; i < tracks.Length; i++)
        {
            layers[i] = -1;
            if (tracks[i].IsAudio && tracks[i].Requested >= 0)
            {
                layers[i] = 0;
                allocated += tracks[i].LayerBitrates[0];
            }
        }

        long remaining = budget - allocated;
        Span<int> order = tracks.Length <= 64 ? stackalloc int[tracks.Length] : new int[tracks.Length];
        Span<int> byPriority = WantedVideos(tracks, order);

        // Every wanted video its lowest layer, most important first.
        foreach (int i in byPriority)
        {
            long cost = tracks[i].LayerBitrates[0];
            if (remaining >= Needed(cost, above: tracks[i].Current < 0))
            {
                layers[i] = 0;
                remaining -= cost;
            }
        }

        // Then one step up per track per round, until nothing more fits.
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (int i in byPriority)
            {
                int layer = layers[i];
                if (layer < 0 || layer >= Math.Min(tracks[i].Requested, tracks[i].LayerBitrates.Length - 1))
                {
                    continue;
                }

                long extra = tracks[i].LayerBitrates[layer + 1] - tracks[i].LayerBitrates[layer];
                if (remaining >= Needed(extra, above: layer + 1 > tracks[i].Current))
                {
                    layers[i] = layer + 1;
                    remaining -= extra;
                    grew = true;
                }
            }
        }

        return budget - remaining;
    }

    /// <summary>
    /// What the next step up would take, on top of what <see cref="Allocate"/> gave: the first
    /// video in priority order that the budget held below what it asks for, and the bitrate its
    /// next layer needs (its lowest when paused), headroom included; 0 when every video has what
    /// it asks for. A probe aims at this step (LiveKit probes for the next transition, not for
    /// everything wanted): a path that carries the next layer but not the top one is found, and
    /// a probe that overshoots a narrow path by the whole ladder fails and backs off.
    /// </summary>
    public static long NextStep(ReadOnlySpan<TrackDemand> tracks, ReadOnlySpan<int> layers)
    {
        Span<int> order = tracks.Length <= 64 ? stackalloc int[tracks.Length] : new int[tracks.Length];
        foreach (int i in WantedVideos(tracks, order))
        {
            int layer = layers[i];
            if (layer >= Math.Min(tracks[i].Requested, tracks[i].LayerBitrates.Length - 1))
            {
                continue;
            }

            long[] costs = tracks[i].LayerBitrates;
            long extra = layer < 0 ? costs[0] : costs[layer + 1] - costs[layer];
            return Needed(extra, above: layer + 1 > tracks[i].Current);
        }

        return 0;
    }

    /// <summary>The indexes of the videos someone wants, into <paramref name="order"/>, most important first.</summary>
    private static Span<int> WantedVideos(ReadOnlySpan<TrackDemand> tracks, Span<int> order)
    {
        int videos = 0;
        for (int i = 0; i < tracks.Length; i++)
        {
            if (!tracks[i].IsAudio && tracks[i].Requested >= 0)
            {
                order[videos++] = i;
            }
        }

        Span<int> byPriority = order[..videos];
        Sort(byPriority, tracks);
        return byPriority;
    }

    private static long Needed(long cost, bool above) => above ? (long)Math.Round(cost * Headroom) : cost;

    private static void Sort(Span<int> indexes, ReadOnlySpan<TrackDemand> tracks)
    {
        // Insertion sort: stable, and a subscriber has a few dozen tracks at most.
        for (int i = 1; i < indexes.Length; i++)
        {
            int value = indexes[i];
            int j = i - 1;
            while (j >= 0 && tracks[indexes[j]].Priority > tracks[value].Priority)
            {
                indexes[j + 1] = indexes[j];
                j--;
            }

            indexes[j + 1] = value;
        }
    }
}
