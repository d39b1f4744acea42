using System.Diagnostics;
using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>
/// A downlink-limit run's measurement: when the window opens, the kernel shapes UDP to each full
/// receive-only bot's port to the limit (<see cref="LoopbackShaper"/>); every <see cref="Period"/>
/// it reads the server's estimate of each one (admin API) and the SRTP bytes each received. The
/// bots' transport-wide feedback is the only way the server learns of the limit. With a lift
/// time the shaping ends then, and the watch measures how long each estimate takes to climb past
/// twice the limit.
/// </summary>
internal sealed class DownlinkWatch : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private readonly LoopbackShaper _shaper;
    private readonly long _limit;
    private readonly Subscriber[] _subscribers;
    private readonly Func<CancellationToken, Task<IReadOnlyDictionary<string, DownlinkReading>>> _estimates;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _start;
    private readonly double _liftAfter;
    private double _liftedAt = double.NaN;
    private Task _loop = Task.CompletedTask;

    private DownlinkWatch(LoopbackShaper shaper, long limit, TimeSpan? liftAfter, Subscriber[] subscribers, Func<CancellationToken, Task<IReadOnlyDictionary<string, DownlinkReading>>> estimates)
    {
        _shaper = shaper;
        _limit = limit;
        _liftAfter = liftAfter?.TotalSeconds ?? double.PositiveInfinity;
        _subscribers = subscribers;
        _estimates = estimates;
        _start = Stopwatch.GetTimestamp();
    }

    /// <summary>Reads the estimates once, shapes every bot's downlink, and samples until disposed.</summary>
    public static async Task<DownlinkWatch> StartAsync(IReadOnlyList<SfuBot> bots, long limit, TimeSpan? liftAfter, Func<CancellationToken, Task<IReadOnlyDictionary<string, DownlinkReading>>> estimates, CancellationToken cancellationToken)
    {
        if (bots.Count == 0)
        {
            throw new InvalidOperationException("--downlink-limit shapes full receive-only subscribers, and this run has none.");
        }

        IReadOnlyDictionary<string, DownlinkReading> before = await estimates(cancellationToken).ConfigureAwait(false);
        Subscriber[] subscribers = [.. bots.Select(b => new Subscriber(b, before.GetValueOrDefault(b.ParticipantId)?.Estimate ?? 0))];
        LoopbackShaper shaper = LoopbackShaper.Create();
        var watch = new DownlinkWatch(shaper, limit, liftAfter, subscribers, estimates);
        foreach (Subscriber subscriber in subscribers)
        {
            shaper.Limit(subscriber.Bot.LocalEndPoint.Port, limit);
            subscriber.Mark();
        }

        watch._loop = watch.SampleAsync();
        return watch;
    }

    /// <summary>Stops sampling and sums up; the shaping stays until dispose.</summary>
    public async Task<DownlinkSummary> SummarizeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        double window = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        double limitedUntil = double.IsNaN(_liftedAt) ? window : _liftedAt;
        return new DownlinkSummary
        {
            Limit = _limit,
            Subscribers = _subscribers.Length,
            EstimateBefore = Median(_subscribers.Select(s => (double)s.EstimateBefore)),
            EstimateAtEnd = Median(_subscribers.Select(s => (double)s.LastEstimate)),
            SecondsToEstimateUnderLimit = Median(_subscribers.Select(s => s.UnderLimitAfter)),
            MaxSecondsToEstimateUnderLimit = _subscribers.Max(s => s.UnderLimitAfter),
            NeverUnderLimit = _subscribers.Count(s => double.IsNaN(s.UnderLimitAfter)),
            ReceivedWhileLimited = Median(_subscribers.Select(s => s.RateBetween(limitedUntil / 2, limitedUntil))),
            DroppedByLink = _subscribers.Sum(s => _shaper.PacketsDropped(s.Bot.LocalEndPoint.Port)),
            LiftedAfter = _liftedAt,
            SecondsToRecover = Median(_subscribers.Select(s => s.RecoveredAfter - _liftedAt)),
            MaxSecondsToRecover = double.IsNaN(_liftedAt) ? double.NaN : _subscribers.Max(s => s.RecoveredAfter - _liftedAt),
            NeverRecovered = double.IsNaN(_liftedAt) ? 0 : _subscribers.Count(s => double.IsNaN(s.RecoveredAfter)),
        };
    }

    /// <summary>Every sample of every shaped bot as CSV: seconds since the limit was set, bot, limit (0 once lifted), estimate, allocated and received bit/s.</summary>
    public async Task WriteTraceAsync(string path)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync(DownlinkTracePoint.CsvHeader).ConfigureAwait(false);
        for (int i = 0; i < _subscribers.Length; i++)
        {
            foreach (DownlinkTracePoint point in _subscribers[i].Trace)
            {
                await writer.WriteLineAsync(point.ToCsv(i)).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _shaper.Dispose();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                IReadOnlyDictionary<string, DownlinkReading> estimates = await _estimates(_stop.Token).ConfigureAwait(false);
                long now = Stopwatch.GetTimestamp();
                double seconds = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
                foreach (Subscriber subscriber in _subscribers)
                {
                    subscriber.Sample(seconds, estimates.GetValueOrDefault(subscriber.Bot.ParticipantId), _limit, _liftedAt);
                }

                if (seconds >= _liftAfter && double.IsNaN(_liftedAt))
                {
                    foreach (Subscriber subscriber in _subscribers)
                    {
                        _shaper.Lift(subscriber.Bot.LocalEndPoint.Port);
                    }

                    _liftedAt = Stopwatch.GetElapsedTime(_start).TotalSeconds;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Where(v => !double.IsNaN(v)).Order()];
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One shaped bot: its estimate before, when it first fell under the limit, and its received bytes over time.</summary>
    private sealed class Subscriber(SfuBot bot, long estimateBefore)
    {
        private readonly List<(double Seconds, long Bytes)> _received = [];
        private readonly List<DownlinkTracePoint> _trace = [];

        public IReadOnlyList<DownlinkTracePoint> Trace => _trace;

        public SfuBot Bot { get; } = bot;

        public long EstimateBefore { get; } = estimateBefore;

        public long LastEstimate { get; private set; } = estimateBefore;

        /// <summary>Seconds from shaping to the first estimate at or under the limit; NaN if it never was.</summary>
        public double UnderLimitAfter { get; private set; } = double.NaN;

        public void Mark() => _received.Add((0, Bot.SrtpBytesReceived));

        /// <summary>Seconds from shaping to the first estimate over twice the limit after the lift; NaN if none was.</summary>
        public double RecoveredAfter { get; private set; } = double.NaN;

        /// <param name="liftedAt">Seconds from shaping to the lift; NaN while the limit holds.</param>
        public void Sample(double seconds, DownlinkReading? reading, long limit, double liftedAt)
        {
            (double previousSeconds, long previousBytes) = _received[^1];
            long bytes = Bot.SrtpBytesReceived;
            _received.Add((seconds, bytes));
            double received = seconds > previousSeconds ? (bytes - previousBytes) * 8 / (seconds - previousSeconds) : 0;
            int width = Bot.RemoteTracks.FirstOrDefault(t => t.Kind == Sfu.Core.MediaKind.Video)?.GetStats().FrameWidth ?? 0;
            _trace.Add(new DownlinkTracePoint(seconds, double.IsNaN(liftedAt) ? limit : 0, reading?.Estimate ?? 0, reading?.Allocated ?? 0, (long)received, width));
            long estimate = reading?.Estimate ?? 0;
            if (estimate <= 0)
            {
                return;
            }

            LastEstimate = estimate;
            if (estimate <= limit && double.IsNaN(UnderLimitAfter))
            {
                UnderLimitAfter = seconds;
            }

            if (!double.IsNaN(liftedAt) && estimate > 2 * limit && double.IsNaN(RecoveredAfter))
            {
                RecoveredAfter = seconds;
            }
        }

        /// <summary>SRTP bits per second received between <paramref name="from"/> and <paramref name="to"/> seconds after shaping.</summary>
        public double RateBetween(double from, double to)
        {
            (double Seconds, long Bytes)[] window = [.. _received.Where(r => r.Seconds >= from && r.Seconds <= to)];
            return window.Length >= 2 && window[^1].Seconds > window[0].Seconds
                ? (window[^1].Bytes - window[0].Bytes) * 8 / (window[^1].Seconds - window[0].Seconds)
                : double.NaN;
        }
    }
}
