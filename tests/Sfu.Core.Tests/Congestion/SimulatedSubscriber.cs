using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Congestion;
using Sfu.Core.Feedback;
using Sfu.Core.Rtcp;
using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Congestion;

/// <summary>
/// One subscriber's whole downlink loop on simulated time, with no sockets: the real
/// <see cref="DownlinkBandwidth"/> (transport-wide numbering, estimator, probe controller), the
/// real <see cref="StreamAllocation"/> choosing between audio and one single-layer video, and
/// padding after each media packet as a down-track sends it (<see cref="ProbeController.PaddingDue"/>).
/// The path is a FIFO bottleneck of <see cref="Capacity"/> with a propagation delay; the
/// receiver writes real transport-wide feedback every 100 ms. <see cref="ReceiverStall"/> models a
/// loaded machine: a receiver that does not look at its socket for a while timestamps what
/// waited there late, all at once, though no queue grew on the path.
/// </summary>
internal sealed class SimulatedSubscriber
{
    public const long AudioBitrate = 50_000;
    private const int AudioPacket = 125;
    private const int VideoPacket = 1200;
    private const int Overhead = 20;
    private const int PaddingPacket = 12 + 8 + ProbeController.PaddingSize;
    private const long StepMicros = 250;
    private const long ReceiverClockOffset = 5_000_000;

    private readonly FakeTimeProvider _time = new();
    private readonly List<(ushort Sequence, long ArrivalMicros)> _arrived = [];
    private readonly Queue<(long DueMicros, byte[] Feedback)> _feedbackInFlight = new();
    private long _now;
    private long _nextAudio;
    private long _nextVideo;
    private long _queueFree;
    private long _nextFeedback = 100_000;
    private long _nextAllocation;
    private ushort _nextReported;
    private bool _anyReported;
    private byte _feedbackCount;

    public SimulatedSubscriber(BandwidthEstimatorOptions? options = null)
    {
        Downlink = new DownlinkBandwidth(_time, options);
        Downlink.Changed += _ => Allocate();
        Layer = int.MaxValue;
    }

    public DownlinkBandwidth Downlink { get; }

    public long Capacity { get; set; } = 10_000_000;

    public long VideoBitrate { get; init; } = 1_500_000;

    /// <summary>A simulcast video's layers, lowest first (the subscriber wants the top one); null: one layer of <see cref="VideoBitrate"/>.</summary>
    public long[]? VideoLayers { get; init; }

    /// <summary>The layer being sent, -1 while the video is paused.</summary>
    public int Layer { get; private set; }

    /// <summary>
    /// How long a switch between layers waits (for the new layer's keyframe: a PLI's round trip
    /// and the publisher's encoder), sending the old layer meanwhile as the forwarder does; 0: at once.
    /// </summary>
    public long SwitchDelayMicros { get; init; }

    private int _switchTo = -1;
    private long _switchAt = long.MaxValue;

    /// <summary>What the allocator wants and the budget would not give, at its last run.</summary>
    public bool ShortOfWanted { get; private set; }

    public long PropagationMicros { get; set; } = 20_000;

    public long MaxQueueMicros { get; set; } = 300_000;

    /// <summary>For an arrival time (µs), when the receiver notices it (a stall delays it); null: at once.</summary>
    public Func<long, long>? ReceiverStall { get; set; }

    public bool VideoOn => Layer >= 0;

    public int Pauses { get; private set; }

    public int Resumes { get; private set; }

    public long Lost { get; private set; }

    public long NowMicros => _now;

    /// <summary>Runs for <paramref name="seconds"/>; <paramref name="sample"/> sees the subscriber every 100 ms.</summary>
    public void Run(double seconds, Action<SimulatedSubscriber>? sample = null)
    {
        long end = _now + (long)(seconds * 1_000_000);
        while (_now < end)
        {
            if (_now >= _nextAudio)
            {
                SendMedia(AudioPacket);
                _nextAudio += 20_000;
            }

            if (_now >= _nextVideo)
            {
                if (VideoOn)
                {
                    SendMedia(VideoPacket);
                }

                _nextVideo += VideoPacket * 8L * 1_000_000 / (VideoOn ? Costs[Math.Min(Layer, Costs.Length - 1)] : VideoBitrate);
            }

            if (_now >= _nextFeedback)
            {
                WriteFeedback();
                _nextFeedback += 100_000;
                sample?.Invoke(this);
            }

            while (_feedbackInFlight.Count > 0 && _feedbackInFlight.Peek().DueMicros <= _now)
            {
                Assert.True(TransportWideFeedback.TryParse(_feedbackInFlight.Dequeue().Feedback, out TransportWideFeedback feedback));
                Downlink.OnFeedback(feedback, _time.GetTimestamp());
            }

            if (_now >= _switchAt)
            {
                Layer = _switchTo;
                _switchAt = long.MaxValue;
            }

            if (_now >= _nextAllocation)
            {
                Allocate();
                _nextAllocation += 1_000_000;
            }

            _now += StepMicros;
            _time.Advance(TimeSpan.FromTicks(StepMicros * 10));
        }
    }

    /// <summary>As the subscriber's allocator does: audio first, the video's highest layer the budget carries, a probe for the next step when short.</summary>
    private void Allocate()
    {
        long budget = Downlink.HasEstimate ? Downlink.Target : long.MaxValue;
        long[] costs = Costs;
        int top = costs.Length - 1;
        TrackDemand[] demands =
        [
            new(IsAudio: true, Priority: 0, [AudioBitrate], Requested: 0, Current: 0),
            new(IsAudio: false, Priority: 2, costs, Requested: top, Current: Math.Min(Layer, top)),
        ];
        Span<int> layers = stackalloc int[2];
        long allocated = StreamAllocation.Allocate(budget, demands, layers);
        bool on = layers[1] >= 0;
        bool paused = VideoOn && !on;
        Pauses += paused ? 1 : 0;
        Resumes += !VideoOn && on ? 1 : 0;
        if (SwitchDelayMicros > 0 && VideoOn && on && layers[1] != Layer)
        {
            // Set once: the allocator re-running while a switch waits does not restart the wait.
            if (_switchAt == long.MaxValue || _switchTo != layers[1])
            {
                _switchTo = layers[1];
                _switchAt = _now + SwitchDelayMicros;
            }
        }
        else
        {
            Layer = layers[1];
            _switchAt = long.MaxValue;
        }

        long nextStep = StreamAllocation.NextStep(demands, layers);
        ShortOfWanted = nextStep > 0;
        Downlink.OnAllocated(allocated + nextStep, allocated, ShortOfWanted, paused);
    }

    private long[] Costs => VideoLayers ?? [VideoBitrate];

    private void SendMedia(int size)
    {
        long now = _time.GetTimestamp();
        bool probing = Downlink.Probe.OnSent(size + Overhead, padding: false);
        Transmit(Downlink.Sender.Stamp(size + Overhead, now, probing), size + Overhead);
        for (int i = 0; Downlink.Probe.PaddingDue(now, i, PaddingPacket); i++)
        {
            Downlink.Probe.OnSent(PaddingPacket + Overhead, padding: true);
            Transmit(Downlink.Sender.Stamp(PaddingPacket + Overhead, now, probe: true), PaddingPacket + Overhead);
        }
    }

    private void Transmit(ushort sequence, int size)
    {
        long transmit = size * 8L * 1_000_000 / Capacity;
        long start = Math.Max(_now, _queueFree);
        if (start - _now > MaxQueueMicros)
        {
            Lost++;
            return; // Drop-tail: never arrives, the feedback reports it lost.
        }

        _queueFree = start + transmit;
        long arrival = _queueFree + PropagationMicros;
        long seen = ReceiverStall?.Invoke(arrival) ?? arrival;
        _arrived.Add((sequence, Math.Max(seen, arrival)));
    }

    /// <summary>The receiver reports, in sequence order, on everything up to the newest packet it has seen.</summary>
    private void WriteFeedback()
    {
        int seen = _arrived.FindLastIndex(a => a.ArrivalMicros <= _now);
        if (seen < 0)
        {
            return;
        }

        ushort last = _arrived[seen].Sequence;
        if (!_anyReported)
        {
            _nextReported = _arrived[0].Sequence;
            _anyReported = true;
        }

        int count = (ushort)(last - _nextReported) + 1;
        long[] arrivals = new long[count];
        Array.Fill(arrivals, -1);
        foreach ((ushort sequence, long arrival) in _arrived.Take(seen + 1))
        {
            arrivals[(ushort)(sequence - _nextReported)] = arrival + ReceiverClockOffset;
        }

        _arrived.RemoveRange(0, seen + 1);
        for (int from = 0; from < count; from += TransportWideFeedbackWriter.MaxPackets)
        {
            long[] part = arrivals[from..Math.Min(count, from + TransportWideFeedbackWriter.MaxPackets)];
            if (part.All(a => a < 0))
            {
                continue;
            }

            byte[] buffer = new byte[TransportWideFeedbackWriter.MaxSize(part.Length)];
            int length = TransportWideFeedbackWriter.TryWrite(buffer, 1, 2, (ushort)(_nextReported + from), part, _feedbackCount++);
            Assert.True(length > 0, "feedback did not fit");
            _feedbackInFlight.Enqueue((_now + PropagationMicros, buffer[..length]));
        }

        _nextReported = (ushort)(last + 1);
    }
}
