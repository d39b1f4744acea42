using System.Collections.Frozen;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Routing;

namespace Sfu.Host.Admin;

/// <summary>
/// Samples the engine once per <see cref="Interval"/>: server-wide rates for the dashboard's
/// charts (a ring of the last <see cref="Capacity"/> samples) and each track's bitrate. Reads
/// only counters the media plane keeps anyway, and each media thread's CPU time from /proc
/// (the threads' own load readings go stale while a thread waits for a datagram; the kernel's
/// count does not); requests read the latest snapshot.
/// </summary>
internal sealed class AdminStatsSampler(SfuEngine engine, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public const int Capacity = 300;

    private readonly Lock _gate = new();
    private readonly Queue<StatsSample> _samples = new(Capacity);
    private FrozenDictionary<object, double> _bitrates = FrozenDictionary<object, double>.Empty;
    private Dictionary<object, long> _lastBytes = [];
    private long _lastTimestamp;
    private long _lastForwarded;
    private long _lastBytesIn;
    private long _lastBytesOut;
    private TimeSpan _lastCpu;
    private TimeSpan _lastGcPause;
    private Dictionary<string, double> _lastThreadSeconds = [];
    private long _lastSplit;

    /// <summary>The bitrate (bits/s) of a producer or down-track over the last interval; 0 before its first.</summary>
    public double BitrateOf(object track) => _bitrates.GetValueOrDefault(track);

    public IReadOnlyList<StatsSample> Samples
    {
        get
        {
            lock (_gate)
            {
                return [.. _samples];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Sample();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Takes one sample now; the first one only sets the baseline of every rate.</summary>
    internal void Sample()
    {
        long now = time.GetTimestamp();
        bool first = _lastTimestamp == 0;
        double seconds = first ? 0 : time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        _lastTimestamp = now;

        MediaCounters counters = engine.Counters;
        long forwarded = counters.PacketsForwarded(MediaKind.Audio) + counters.PacketsForwarded(MediaKind.Video);
        long bytesIn = counters.BytesReceived(MediaKind.Audio) + counters.BytesReceived(MediaKind.Video);
        long bytesOut = counters.BytesForwarded(MediaKind.Audio) + counters.BytesForwarded(MediaKind.Video);
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        TimeSpan gcPause = GC.GetTotalPauseDuration();
        Dictionary<string, double> threadSeconds = ProcessCpu.ReadThreadSeconds(Environment.ProcessId, MediaThreadLoad.ThreadNamePrefix);
        long split = engine.FanOut.Split;

        var bytes = new Dictionary<object, long>(_lastBytes.Count);
        var bitrates = new Dictionary<object, double>(_lastBytes.Count);
        int participants = 0;
        int rooms = 0;
        double lossSum = 0;
        int lossCount = 0;
        double rttSum = 0;
        int rttCount = 0;
        foreach (Room room in engine.Rooms.Rooms)
        {
            rooms++;
            foreach (Participant participant in room.Participants)
            {
                participants++;
                foreach (Producer producer in participant.Producers)
                {
                    Track(producer, producer.BytesReceived);
                }

                foreach (DownTrack downTrack in participant.DownTracks)
                {
                    Track(downTrack, downTrack.OctetsSent);
                    if (downTrack.Quality.Reports > 0)
                    {
                        lossSum += downTrack.Quality.FractionLost;
                        lossCount++;
                        if (!double.IsNaN(downTrack.Quality.RoundTripSeconds))
                        {
                            rttSum += downTrack.Quality.RoundTripSeconds;
                            rttCount++;
                        }
                    }
                }
            }
        }

        _lastBytes = bytes;
        _bitrates = bitrates.ToFrozenDictionary();

        if (!first && seconds > 0)
        {
            var sample = new StatsSample(
                time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
                (forwarded - _lastForwarded) / seconds,
                (bytesIn - _lastBytesIn) * 8 / seconds,
                (bytesOut - _lastBytesOut) * 8 / seconds,
                participants,
                rooms,
                (cpu - _lastCpu).TotalSeconds / seconds / Environment.ProcessorCount * 100,
                GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024.0),
                (gcPause - _lastGcPause).TotalMilliseconds / seconds,
                lossCount == 0 ? 0 : lossSum / lossCount * 100,
                rttCount == 0 ? 0 : rttSum / rttCount * 1000,
                ThreadPercents(threadSeconds, seconds),
                (split - _lastSplit) / seconds);
            lock (_gate)
            {
                if (_samples.Count == Capacity)
                {
                    _samples.Dequeue();
                }

                _samples.Enqueue(sample);
            }
        }

        _lastForwarded = forwarded;
        _lastBytesIn = bytesIn;
        _lastBytesOut = bytesOut;
        _lastCpu = cpu;
        _lastGcPause = gcPause;
        _lastThreadSeconds = threadSeconds;
        _lastSplit = split;

        // A thread's share of one core over the interval; one that started since the last sample counts from 0.
        Dictionary<string, double> ThreadPercents(Dictionary<string, double> now, double interval)
            => now.ToDictionary(t => t.Key, t => Math.Max(0, t.Value - _lastThreadSeconds.GetValueOrDefault(t.Key)) / interval * 100, StringComparer.Ordinal);

        void Track(object track, long total)
        {
            bytes[track] = total;
            if (seconds > 0 && _lastBytes.TryGetValue(track, out long before))
            {
                bitrates[track] = (total - before) * 8 / seconds;
            }
        }
    }
}
