using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Host.Turn;

namespace Sfu.Host.Admin;

/// <summary>Read-only views of the engine's rooms for the admin API.</summary>
internal sealed class AdminSnapshots(SfuEngine engine, AdminStatsSampler sampler, ConnectionPaths paths)
{
    public IReadOnlyList<RoomSummary> Rooms()
        => [.. engine.Rooms.Rooms.OrderBy(r => r.Name, StringComparer.Ordinal).Select(Summary)];

    public RoomDetail? Room(string name)
    {
        Room? room = engine.Rooms.Find(name);
        return room is null ? null : new RoomDetail(room.Name, room.CreatedAt, [.. room.Participants.Select(Participant)]);
    }

    public StatsResponse Stats()
    {
        IReadOnlyList<StatsSample> samples = sampler.Samples;
        MediaCounters counters = engine.Counters;
        var dropped = Enum.GetValues<DropReason>().ToDictionary(SfuMetrics.DropReasonName, counters.DroppedCount);
        var totals = new StatsTotals(
            counters.PacketsReceived(MediaKind.Audio) + counters.PacketsReceived(MediaKind.Video),
            counters.PacketsForwarded(MediaKind.Audio) + counters.PacketsForwarded(MediaKind.Video),
            dropped.Values.Sum(),
            dropped,
            counters.NacksReceived,
            counters.PlisSent,
            counters.NacksSent,
            counters.PacketsRepaired,
            counters.LayerSwitches);
        return new StatsResponse(
            AdminStatsSampler.Interval.TotalSeconds,
            Series(samples, s => s.Time),
            Series(samples, s => s.ForwardedPacketsPerSecond),
            Series(samples, s => s.BitrateIn),
            Series(samples, s => s.BitrateOut),
            Series(samples, s => s.Participants),
            Series(samples, s => s.Rooms),
            Series(samples, s => s.CpuPercent),
            Series(samples, s => s.GcHeapMegabytes),
            Series(samples, s => s.GcPauseMsPerSecond),
            Series(samples, s => s.LossPercent),
            Series(samples, s => s.RoundTripMs),
            ThreadSeries(samples),
            Series(samples, s => s.SplitFanOutsPerSecond),
            totals);
    }

    /// <summary>Every media thread seen in the samples, receive loops first, each with one value per sample.</summary>
    private static MediaThreadSeries[] ThreadSeries(IReadOnlyList<StatsSample> samples)
        => [.. samples.SelectMany(s => s.MediaThreads.Keys)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(name => name.Contains("-rx-", StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(name => int.TryParse(name.AsSpan(name.LastIndexOf('-') + 1), System.Globalization.CultureInfo.InvariantCulture, out int index) ? index : int.MaxValue)
            .Select(name => new MediaThreadSeries(name, Series(samples, s => s.MediaThreads.GetValueOrDefault(name))))];

    private RoomSummary Summary(Room room)
    {
        int published = 0;
        int subscriptions = 0;
        double bitrateIn = 0;
        double bitrateOut = 0;
        foreach (Participant participant in room.Participants)
        {
            published += participant.Producers.Length;
            subscriptions += participant.DownTracks.Length;
            bitrateIn += participant.Producers.Sum(sampler.BitrateOf);
            bitrateOut += participant.DownTracks.Sum(sampler.BitrateOf);
        }

        return new RoomSummary(room.Name, room.CreatedAt, room.Participants.Length, published, subscriptions, bitrateIn, bitrateOut);
    }

    private ParticipantDetail Participant(Participant participant)
    {
        bool connected = participant.Transport.IsConnected;
        return new ParticipantDetail(
            participant.Id,
            participant.DisplayName,
            participant.JoinedAt,
            connected,
            connected ? participant.Transport.SrtpProfile.ToString() : null,
            participant.Transport.HandshakeDuration?.TotalMilliseconds,
            [.. participant.Producers.Select(Published)],
            [.. participant.DownTracks.Select(Subscription)],
            paths.Of(participant.Transport),
            participant.DownlinkEstimate > 0 ? participant.DownlinkEstimate : null,
            participant.AllocatedBitrate);
    }

    private PublishedTrackDetail Published(Producer producer)
    {
        long received = producer.Statistics?.PacketsReceived ?? 0;
        long lost = Math.Max(0, producer.Statistics?.CumulativeLost ?? 0);
        return new PublishedTrackDetail(
            producer.TrackId,
            KindName(producer.Kind),
            producer.Codec.Name,
            producer.Ssrc,
            producer.PacketsReceived,
            producer.BytesReceived,
            sampler.BitrateOf(producer),
            received + lost == 0 ? 0 : lost / (double)(received + lost),
            (producer.Statistics?.Jitter ?? 0) * 1000.0 / producer.Codec.ClockRate,
            producer.DownTracks.Length,
            [.. producer.Layers.Select(l => new LayerDetail(l.Rid, l.Width, l.Height, l.Bitrate, l.IsActive))]);
    }

    private SubscriptionDetail Subscription(DownTrack downTrack)
    {
        double rtt = downTrack.Quality.RoundTripSeconds;
        return new SubscriptionDetail(
            downTrack.Source.Owner.Id,
            downTrack.Source.TrackId,
            KindName(downTrack.Source.Kind),
            downTrack.Source.Codec.Name,
            downTrack.Ssrc,
            downTrack.PacketsSent,
            sampler.BitrateOf(downTrack),
            downTrack.Quality.FractionLost,
            downTrack.Quality.JitterSeconds * 1000,
            double.IsNaN(rtt) ? null : rtt * 1000,
            downTrack.IsPaused,
            RidOf(downTrack, downTrack.CurrentLayer),
            RidOf(downTrack, downTrack.WantedLayer),
            downTrack.IsPausedForBandwidth ? "paused" : downTrack.IsReducedForBandwidth ? "reduced" : "full");
    }

    private static string KindName(MediaKind kind) => kind == MediaKind.Audio ? "audio" : "video";

    private static double[] Series(IReadOnlyList<StatsSample> samples, Func<StatsSample, double> read)
        => [.. samples.Select(read)];

    private static string? RidOf(DownTrack downTrack, int layer)
        => layer >= 0 && layer < downTrack.Source.Layers.Length ? downTrack.Source.Layers[layer].Rid : null;
}
