namespace Sfu.Core.Congestion;

/// <summary>
/// A send-side estimate of what a path to one receiver carries, from its transport-wide
/// feedback (GoogCC, draft-ietf-rmcat-gcc-02): a delay-based part — packet groups
/// (<see cref="InterArrival"/>), the trend of queuing delay (<see cref="TrendlineEstimator"/>),
/// and AIMD rate control: on overuse down to 0.85 of what was acked (or, when the path delivered
/// all we sent and we sent well under the estimate, to 0.85 of the estimate: our own small rate
/// did not fill the path, and cutting to it would leave nothing to climb back from); on normal
/// up, doubling a second until the path first pushes back (a slow start in place of GoogCC's initial probes)
/// and 8 % a second after that; never above 1.5 times what was acked (a sender that does not use
/// the rate has not shown it exists) — and a loss-based part: above 10 % loss down by half the
/// loss, below 2 % up.
/// The estimate is the smaller of the two. Pure: every time comes in as an argument (µs), so a
/// simulated link drives it in tests; one per receiver, one thread at a time.
/// </summary>
public sealed class BandwidthEstimator
{
    private const double Decrease = 0.85;
    private const double IncreasePerSecond = 1.08;
    private const double SlowStartPerSecond = 2.0;
    private const double HighLoss = 0.10;
    private const double LowLoss = 0.02;
    private const long LossWindowMicros = 1_000_000;
    private const int MinLossPackets = 20;
    private const double ApplicationLimitedDelivered = 0.9;
    private const double ApplicationLimitedShare = 0.5;
    private const long ProbeFloorMicros = 1_000_000;

    private readonly BandwidthEstimatorOptions _options;
    private readonly InterArrival _groups = new();
    private readonly TrendlineEstimator _trend;
    private readonly WindowedBitrate _acked = new();
    private readonly WindowedBitrate _sent = new();
    private double _delayBased;
    private double _lossBased;
    private long _lastUpdate = long.MinValue;
    private long _lastDecrease = long.MinValue;
    private long _lastLossChange = long.MinValue;
    private long _lossWindowStart = long.MinValue;
    private int _lossWindowPackets;
    private int _lossWindowLost;
    private bool _pushedBack;
    private long _probeFloor;
    private long _probeFloorUntil = long.MinValue;
    private bool _lossLimited;

    public BandwidthEstimator(BandwidthEstimatorOptions? options = null)
    {
        _options = options ?? new BandwidthEstimatorOptions();
        _trend = new TrendlineEstimator(_options.OveruseMs);
        _delayBased = _options.Initial;
        _lossBased = _options.Initial;
    }

    /// <summary>What we may send this receiver, bits per second.</summary>
    public long Target => (long)Math.Clamp(_lossLimited ? Math.Min(_delayBased, _lossBased) : _delayBased, _options.Min, _options.Max);

    public BandwidthUsage Usage => _trend.State;

    /// <summary>The share of packets lost over the last full loss window, 0 to 1.</summary>
    public double LossFraction { get; private set; }

    /// <summary>What reached the receiver, bits per second.</summary>
    public long AckedBitrate => _acked.BitsPerSecond;

    /// <summary>What we sent, by the send times feedback reported on, bits per second.</summary>
    public long SentBitrate => _sent.BitsPerSecond;

    /// <summary>Overuse signals acted on, and how many of them found us application-limited.</summary>
    public int Decreases { get; private set; }

    public int ApplicationLimitedDecreases { get; private set; }

    /// <summary>Takes the packets one feedback reported on, in transport sequence order.</summary>
    public void OnFeedback(ReadOnlySpan<PacketResult> packets, long nowMicros)
    {
        foreach (PacketResult packet in packets)
        {
            _sent.Add(packet.SendMicros, packet.Size);
            _lossWindowPackets++;
            if (!packet.Received)
            {
                _lossWindowLost++;
                continue;
            }

            _acked.Add(packet.ArrivalMicros, packet.Size);
            if (_groups.Add(packet.SendMicros, packet.ArrivalMicros, out long sendDelta, out long arrivalDelta, out long groupArrival))
            {
                _trend.Update(sendDelta, arrivalDelta, groupArrival);
            }
        }

        _acked.Update();
        _sent.Update();
        UpdateDelayBased(nowMicros);
        UpdateLossBased(nowMicros);
    }

    /// <summary>
    /// A probe showed the path carried <paramref name="bitsPerSecond"/> without loss or a growing
    /// queue: the estimate moves up to it at once instead of climbing 8 % a second (GoogCC takes
    /// its probes' results the same way). A probe that filled the path (<paramref name="saturated"/>:
    /// the rate is a share of what the full path delivered) measured what it carries; the overuse
    /// that probe itself caused then cuts no lower than that rate for the next second, while its
    /// queue drains. The
    /// cut's own base, what was acked, averages the probe with the little we sent before it while
    /// application-limited, and would leave the estimate well under a path just measured.
    /// </summary>
    public void OnProbeResult(long bitsPerSecond, bool saturated = false)
    {
        if (saturated)
        {
            _probeFloor = Math.Clamp(bitsPerSecond, _options.Min, _options.Max);
            _probeFloorUntil = long.MinValue;
            _delayBased = Math.Max(_delayBased, _probeFloor);
            return;
        }

        if (bitsPerSecond <= _delayBased || _trend.State == BandwidthUsage.Overusing)
        {
            return;
        }

        _delayBased = Math.Min(bitsPerSecond, _options.Max);
        if (_lossLimited && _lossBased < _delayBased)
        {
            _lossBased = _delayBased;
            _lossLimited = false;
        }
    }

    /// <summary>A receiver estimate (REMB) from a receiver that sends no transport-wide feedback: it is the estimate.</summary>
    public void OnRemb(long bitsPerSecond)
    {
        _delayBased = bitsPerSecond;
        _lossBased = bitsPerSecond;
    }

    private void UpdateDelayBased(long now)
    {
        // The queue a saturating probe built (at most a quarter of a second of its excess) has
        // drained well within a second; after that an overuse is news, and cuts as usual.
        if (_probeFloor > 0)
        {
            _probeFloorUntil = _probeFloorUntil == long.MinValue ? now + ProbeFloorMicros : _probeFloorUntil;
            if (now > _probeFloorUntil)
            {
                _probeFloor = 0;
                _probeFloorUntil = long.MinValue;
            }
        }

        double elapsed = _lastUpdate == long.MinValue ? 0 : Math.Min((now - _lastUpdate) / 1e6, 1.0);
        _lastUpdate = now;
        long acked = _acked.BitsPerSecond;
        switch (_trend.State)
        {
            case BandwidthUsage.Overusing:
                // Once per round of feedback on the overuse it caused: let the cut take effect.
                if (_lastDecrease == long.MinValue || now - _lastDecrease > 200_000)
                {
                    bool limited = IsApplicationLimited(acked);
                    double from = limited || acked <= 0 ? _delayBased : acked;
                    _delayBased = Math.Max(Math.Min(_delayBased, Decrease * from), _probeFloor);
                    _lastDecrease = now;
                    _pushedBack = true;
                    Decreases++;
                    ApplicationLimitedDecreases += limited ? 1 : 0;
                }

                break;
            case BandwidthUsage.Normal:
                double grown = _delayBased * Math.Pow(_pushedBack ? IncreasePerSecond : SlowStartPerSecond, elapsed);
                double ceiling = acked > 0 ? Math.Max(_delayBased, (1.5 * acked) + 10_000) : double.MaxValue;
                _delayBased = Math.Min(grown, ceiling);
                break;
            default:
                break; // Underusing: a queue drains; hold until it has.
        }

        _delayBased = Math.Clamp(_delayBased, _options.Min, _options.Max);
    }

    /// <summary>
    /// The path delivered (nearly) all we sent, and we sent less than half the estimate: we are
    /// limited by what we have to send (an allocation that paused a video, a quiet room), not by
    /// the path. What was acked then says nothing of what the path carries.
    /// </summary>
    private bool IsApplicationLimited(long acked)
    {
        long sent = _sent.BitsPerSecond;
        return acked > 0 && sent > 0 && acked >= ApplicationLimitedDelivered * sent && sent < ApplicationLimitedShare * _delayBased;
    }

    private void UpdateLossBased(long now)
    {
        if (_lossWindowStart == long.MinValue)
        {
            _lossWindowStart = now;
        }

        if (now - _lossWindowStart < LossWindowMicros || _lossWindowPackets < MinLossPackets)
        {
            return;
        }

        LossFraction = _lossWindowLost / (double)_lossWindowPackets;
        double elapsed = _lastLossChange == long.MinValue ? 1.0 : Math.Min((now - _lastLossChange) / 1e6, 1.0);
        if (LossFraction > HighLoss)
        {
            _lossBased = Target * (1 - (0.5 * LossFraction));
            _lossLimited = true;
            _pushedBack = true;
        }
        else if (LossFraction < LowLoss && _lossLimited)
        {
            // Low loss again: the loss limit lifts as the rate grows back to the delay-based one.
            _lossBased *= Math.Pow(IncreasePerSecond, elapsed);
            _lossLimited = _lossBased < _delayBased;
        }

        _lossBased = Math.Clamp(_lossBased, _options.Min, _options.Max);
        _lastLossChange = now;
        _lossWindowStart = now;
        _lossWindowPackets = 0;
        _lossWindowLost = 0;
    }
}
