using System.Collections.Immutable;
using Sfu.Core.Feedback;

namespace Sfu.Core.Routing;

/// <summary>
/// Fits what one subscriber receives to what its path carries: whenever its estimate moves
/// (<see cref="DownlinkBandwidth.Changed"/>), and at least once a second, its down-tracks are
/// handed to <see cref="StreamAllocation"/> — audio first, then a screen share, then the active
/// speaker's camera, then the other cameras — and each gets the highest layer the budget
/// allows, or is paused. A subscriber that sends no congestion feedback is not limited.
/// Any thread; one allocation at a time.
/// </summary>
internal sealed class SubscriberAllocator
{
    /// <summary>Bitrates assumed for a layer not measured yet (or paused by dynacast), by the usual 150k/500k/1.5M ladder.</summary>
    private static readonly long[] DefaultLayerBitrates = [150_000, 500_000, 1_500_000];

    private const long DefaultAudioBitrate = 50_000;

    private readonly Participant _owner;
    private readonly DownlinkBandwidth _downlink;
    private readonly Lock _gate = new();
    private long _allocated;
    private int _pausedForBandwidth;
    private int _reducedForBandwidth;

    public SubscriberAllocator(Participant owner, DownlinkBandwidth downlink)
    {
        _owner = owner;
        _downlink = downlink;
        downlink.Changed += _ => Allocate();
    }

    /// <summary>The bitrate the last allocation gave all tracks together.</summary>
    public long AllocatedBitrate => Volatile.Read(ref _allocated);

    /// <summary>Videos the budget paused at the last allocation.</summary>
    public int PausedForBandwidth => Volatile.Read(ref _pausedForBandwidth);

    /// <summary>Videos the budget held below the layer the subscriber wants.</summary>
    public int ReducedForBandwidth => Volatile.Read(ref _reducedForBandwidth);

    public void Allocate()
    {
        lock (_gate)
        {
            ImmutableArray<DownTrack> tracks = _owner.DownTracks;
            if (tracks.IsEmpty)
            {
                return;
            }

            long budget = _downlink.HasEstimate ? _downlink.Target : long.MaxValue;
            var demands = new TrackDemand[tracks.Length];
            Span<int> layers = stackalloc int[tracks.Length];
            for (int i = 0; i < tracks.Length; i++)
            {
                demands[i] = DemandOf(tracks[i]);
            }

            long allocated = StreamAllocation.Allocate(budget, demands, layers);
            long nextStep = StreamAllocation.NextStep(demands, layers);
            int paused = 0;
            int reduced = 0;
            bool newlyPaused = false;
            for (int i = 0; i < tracks.Length; i++)
            {
                DownTrack track = tracks[i];
                int wantedLayer = demands[i].Requested;
                int layer = wantedLayer < 0 ? int.MaxValue : layers[i];
                if (track.SetAllocatedLayer(layer))
                {
                    _owner.OnBandwidthReduced(layer < 0);
                    newlyPaused |= layer < 0;
                }

                paused += layer < 0 ? 1 : 0;
                reduced += layer >= 0 && layer < wantedLayer ? 1 : 0;
            }

            // Short of what it wants: see whether the path carries the next step before taking it.
            _downlink.OnAllocated(allocated + nextStep, allocated, nextStep > 0, newlyPaused);

            Volatile.Write(ref _allocated, Math.Min(allocated, budget));
            Volatile.Write(ref _pausedForBandwidth, paused);
            Volatile.Write(ref _reducedForBandwidth, reduced);
        }
    }

    private static TrackDemand DemandOf(DownTrack track)
    {
        Producer source = track.Source;
        bool audio = source.Kind == MediaKind.Audio;
        // A track that has never sent a packet (a camera that is off: its transceiver is there so
        // turning it on needs no renegotiation) costs nothing yet; charging it a default bitrate
        // would hold back the videos that do arrive.
        bool wanted = track.IsActive && !track.IsPaused && source.PacketsReceived > 0;
        var bitrates = new long[audio ? 1 : source.Layers.Length];
        for (int layer = 0; layer < bitrates.Length; layer++)
        {
            long measured = source.Layers[layer].IsActive ? source.Layers[layer].Bitrate : 0;
            bitrates[layer] = measured > 0 ? measured : DefaultBitrate(audio, layer, bitrates.Length);
        }

        // Costs must grow with the layer for the allocator's step-ups; a lull in a higher layer
        // should not make it look cheaper than the one below.
        for (int layer = 1; layer < bitrates.Length; layer++)
        {
            bitrates[layer] = Math.Max(bitrates[layer], bitrates[layer - 1] + 1);
        }

        return new TrackDemand(audio, PriorityOf(source), bitrates, wanted ? track.RequestedLayer : -1, track.CurrentLayer);
    }

    /// <summary>0: a screen share (a publisher's second video); 1: the active speaker's camera; 2: any other camera.</summary>
    private static int PriorityOf(Producer source)
    {
        IPublisher publisher = source.Owner;
        foreach (Producer producer in publisher.Producers)
        {
            if (producer.Kind == MediaKind.Video)
            {
                if (producer != source)
                {
                    return 0;
                }

                break;
            }
        }

        return publisher.Room.DominantSpeaker == publisher.Id ? 1 : 2;
    }

    private static long DefaultBitrate(bool audio, int layer, int layers)
        => audio ? DefaultAudioBitrate : DefaultLayerBitrates[Math.Max(0, DefaultLayerBitrates.Length - layers + layer)];
}
