using Sfu.Core.Congestion;

namespace Sfu.Core.Tests.Congestion;

/// <summary>
/// A one-way path for the estimator to be tested on, with no sockets and no clock: a
/// bottleneck of <see cref="Capacity"/> bits per second with a FIFO queue (drop-tail at
/// <see cref="MaxQueueMicros"/>, or a policer that drops whatever exceeds the rate when
/// <see cref="Policer"/>), then a fixed propagation delay. The sender sends paced 1,200-byte
/// packets at the estimate; the receiver reports every 100 ms on its own clock (offset from
/// ours, as a real receiver's is) and the report takes the propagation delay back.
/// </summary>
internal sealed class SimulatedLink(BandwidthEstimator estimator)
{
    private const int PacketSize = 1200;
    private const long FeedbackIntervalMicros = 100_000;
    private const long ReceiverClockOffset = 987_654_321;

    private readonly List<PacketResult> _pending = [];
    private readonly Queue<(long DueMicros, PacketResult[] Results)> _inFlightFeedback = new();
    private long _now;
    private long _nextSend;
    private long _queueFree;
    private long _nextFeedback = FeedbackIntervalMicros;
    private long _sent;
    private long _delivered;

    public long Capacity { get; set; } = 2_000_000;

    public long PropagationMicros { get; set; } = 20_000;

    public long MaxQueueMicros { get; set; } = 300_000;

    public bool Policer { get; set; }

    /// <summary>The sender sends no more than this, whatever the estimate (an application limit).</summary>
    public long Demand { get; set; } = long.MaxValue;

    public long NowMicros => _now;

    public long Delivered => _delivered;

    public long Sent => _sent;

    /// <summary>Runs for <paramref name="seconds"/>; <paramref name="sample"/> sees the estimate every 100 ms.</summary>
    public void Run(double seconds, Action<long, long>? sample = null)
    {
        long end = _now + (long)(seconds * 1_000_000);
        while (_now < end)
        {
            long rate = Math.Min(estimator.Target, Demand);
            long gap = PacketSize * 8L * 1_000_000 / Math.Max(rate, 1);
            if (_now >= _nextSend)
            {
                Send();
                _nextSend = _now + gap;
            }

            if (_now >= _nextFeedback)
            {
                _inFlightFeedback.Enqueue((_now + PropagationMicros, [.. _pending.Where(p => !p.Received || p.ArrivalMicros - ReceiverClockOffset <= _now)]));
                _pending.RemoveAll(p => !p.Received || p.ArrivalMicros - ReceiverClockOffset <= _now);
                _nextFeedback += FeedbackIntervalMicros;
                sample?.Invoke(_now, estimator.Target);
            }

            while (_inFlightFeedback.Count > 0 && _inFlightFeedback.Peek().DueMicros <= _now)
            {
                estimator.OnFeedback(_inFlightFeedback.Dequeue().Results, _now);
            }

            _now += 250;
        }
    }

    private void Send()
    {
        _sent++;
        long transmit = PacketSize * 8L * 1_000_000 / Capacity;
        long start = Math.Max(_now, _queueFree);
        bool dropped = Policer ? start > _now + transmit : start - _now > MaxQueueMicros;
        if (dropped)
        {
            // A policer or a full queue: the packet is lost and takes no link time.
            _pending.Add(new PacketResult(_now, PacketSize, false, 0));
            return;
        }

        _queueFree = start + transmit;
        long arrival = _queueFree + PropagationMicros;
        _delivered++;
        _pending.Add(new PacketResult(_now, PacketSize, true, arrival + ReceiverClockOffset));
    }
}
