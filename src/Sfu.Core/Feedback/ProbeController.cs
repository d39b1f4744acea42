using Sfu.Core.Congestion;

namespace Sfu.Core.Feedback;

/// <summary>
/// Finds out whether a subscriber's path carries more before we send it more: when the
/// allocator's next step up (<see cref="Routing.StreamAllocation.NextStep"/>) needs more than
/// the estimate, we pad what we send up to a little above that for a quarter of a second
/// (short, so a probe above a narrow path's rate fills its queue without overflowing it)
/// (padding-only RTP, RFC 3550 §5.1, which its decoder skips and its transport-wide feedback
/// still counts), then read from that feedback what the probe sent and what the path delivered.
/// If it delivered at least 90 % of what the probe actually sent (GoogCC's test for an
/// unsaturated link), the probe succeeded and the estimate moves up to the delivered rate; if
/// not, the path is full at what it delivered, which still lifts an estimate below it, and the
/// next probe waits longer — 3 s, growing ×1.5 as LiveKit's probe regulator does, to 10 s
/// (libwebrtc probes an application-limited sender every 5 s): a path that stays narrow costs
/// one failed quarter-second probe per 10 s, and a path that widens again after a long narrow
/// spell is found within 10 s of it, not a minute.
/// A probe capped at twice the estimate that succeeds is followed at once by the next one, from
/// the estimate it lifted. The back-off is for the step that failed: when the allocation falls back and its next step
/// needs less than the failed probe aimed for, a probe for that smaller step may run a second
/// after the failure (else a subscriber pushed down from its middle layer by a probe for the top
/// one waits out the top one's back-off before the middle one is tried again, its estimate held
/// meanwhile by the little it sends). A video paused for bandwidth gets a probe within a second
/// (GoogCC probes again after a large drop). Padding only ever fills the gap between what is sent and the probe rate. Any thread
/// for <see cref="Want"/> and <see cref="OnPaused"/>; the rest on the media path, under its room's media gate.
/// </summary>
public sealed class ProbeController(TimeProvider time)
{
    public static readonly TimeSpan Duration = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>How long after a probe ends its feedback is waited for.</summary>
    public static readonly TimeSpan EvaluationTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How soon a probe may start after the allocator paused a video for bandwidth.</summary>
    public static readonly TimeSpan AfterPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far above what is wanted (the allocator's headroom for a step up already in it) a
    /// probe aims: the path delivers a little less than was sent.
    /// </summary>
    public const double Overshoot = 1.1;

    /// <summary>A probe succeeds when the path delivered at least this share of what the probe sent.</summary>
    public const double Delivered = 0.9;

    /// <summary>A failed probe lifts the estimate to this share of what the full path delivered (GoogCC's target utilisation).</summary>
    public const double FailedShare = 0.95;

    /// <summary>
    /// Padding bytes in one padding-only packet, the count byte included: the most its one-byte
    /// count can say (RFC 3550 §5.1).
    /// </summary>
    public const int PaddingSize = 255;

    /// <summary>
    /// Padding packets after one media packet at most. Padding rides on what we forward, so when
    /// only audio flows (50 packets a second, every video paused) this is what lets a probe
    /// reach ~2.4 Mbit/s: 24 × 255 bytes per 20 ms.
    /// </summary>
    public const int MaxPaddingPerPacket = 24;

    private readonly Lock _gate = new();
    private readonly long _durationTicks = (long)(Duration.TotalSeconds * time.TimestampFrequency);
    private TimeSpan _backoff = FirstBackoff;
    private long _nextAllowed;
    private long _failedWanted = long.MaxValue;
    private long _failedAt;
    private long _start;
    private long _paddingRate;
    private long _paddingSent;
    private volatile bool _sending;
    private bool _evaluating;
    private long _probeSent;
    private long _probeSentBytes;
    private long _probeReceivedBytes;
    private int _probeResolved;
    private int _probeLost;
    private long _firstArrival = long.MaxValue;
    private long _lastArrival = long.MinValue;
    private long _firstSend = long.MaxValue;
    private long _lastSend = long.MinValue;

    /// <summary>Probes started, and how many of them showed more bandwidth.</summary>
    public int Started { get; private set; }

    public int Succeeded { get; private set; }

    /// <summary>The rate the probe aimed at, bits per second.</summary>
    public long Target { get; private set; }

    /// <summary>The budget the allocator's next step needed when the probe started, bits per second.</summary>
    public long Wanted { get; private set; }

    /// <summary>What the last evaluated probe sent and what the path delivered of it, bits per second.</summary>
    public long LastSent { get; private set; }

    public long LastDelivered { get; private set; }

    /// <summary>True while packets leave as part of a probe.</summary>
    public bool IsProbing => _sending;

    /// <summary>
    /// The allocator could not give the subscriber its next step up: that needs a budget of
    /// <paramref name="wanted"/> bits per second (headroom included) against an estimate of
    /// <paramref name="estimate"/>, of which <paramref name="sending"/> is in use. Starts a probe
    /// toward <see cref="Overshoot"/> times what it wants (at most twice the estimate, or 300 kbit/s
    /// above it) unless one runs, or one for as much or more failed too recently.
    /// </summary>
    public void Want(long wanted, long estimate, long sending)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            bool smallerStep = wanted < _failedWanted && now - _failedAt >= (long)(AfterPause.TotalSeconds * time.TimestampFrequency);
            if (_sending || _evaluating || wanted <= estimate || (now < _nextAllowed && !smallerStep))
            {
                return;
            }

            long target = Math.Min((long)(wanted * Overshoot), Math.Max(2 * estimate, estimate + 300_000));
            _paddingRate = Math.Max(0, target - sending);
            if (_paddingRate == 0)
            {
                return;
            }

            Target = target;
            Wanted = wanted;
            _start = now;
            _paddingSent = 0;
            _probeSent = 0;
            _probeSentBytes = 0;
            _probeReceivedBytes = 0;
            _probeResolved = 0;
            _probeLost = 0;
            _firstArrival = long.MaxValue;
            _lastArrival = long.MinValue;
            _firstSend = long.MaxValue;
            _lastSend = long.MinValue;
            _sending = true;
            Started++;
        }
    }

    /// <summary>
    /// The allocator just paused a video for bandwidth: the cut may have been a false alarm (a
    /// loaded machine's scheduling looks like a queue), and with the video off nothing else
    /// would show the path carries it again, so the next probe may start within
    /// <see cref="AfterPause"/> whatever the back-off. Any thread.
    /// </summary>
    public void OnPaused()
    {
        long soon = time.GetTimestamp() + (long)(AfterPause.TotalSeconds * time.TimestampFrequency);
        lock (_gate)
        {
            _nextAllowed = Math.Min(_nextAllowed, soon);
        }
    }

    /// <summary>Padding bytes due now to keep the probe at its rate; 0 when no probe runs. Media path.</summary>
    public int Owed(long now)
    {
        if (!_sending)
        {
            return 0;
        }

        long elapsed = now - _start;
        if (elapsed >= _durationTicks)
        {
            _sending = false;
            _evaluating = true;
            return 0;
        }

        long due = (long)(_paddingRate / 8.0 * elapsed / time.TimestampFrequency) - _paddingSent;
        return (int)Math.Clamp(due, 0, int.MaxValue);
    }

    /// <summary>
    /// Whether another padding-only packet of <paramref name="size"/> bytes should follow a media
    /// packet, the <paramref name="sentAfterPacket"/>-th after it. Media path.
    /// </summary>
    public bool PaddingDue(long now, int sentAfterPacket, int size)
        => sentAfterPacket < MaxPaddingPerPacket && Owed(now) >= size / 2;

    /// <summary>A packet left: counts toward the probe when one runs. Media path.</summary>
    public bool OnSent(int bytes, bool padding)
    {
        if (!_sending)
        {
            return false;
        }

        if (padding)
        {
            _paddingSent += bytes;
        }

        _probeSent++;
        return true;
    }

    /// <summary>
    /// What feedback said of packets sent during the probe; once all are accounted for, returns
    /// the rate the path showed it carries: what it delivered when it kept up with the probe,
    /// <see cref="FailedShare"/> of it when it did not; 0 while the probe is still being read, or
    /// when it told nothing. Media path.
    /// </summary>
    public long OnResults(ReadOnlySpan<PacketResult> results, BandwidthUsage usage)
    {
        // Feedback on the probe's first packets comes back while it still runs: count it too.
        if (!_evaluating && !_sending)
        {
            return 0;
        }

        foreach (PacketResult result in results)
        {
            if (!result.Probe)
            {
                continue;
            }

            _probeResolved++;
            _probeSentBytes += result.Size;
            _firstSend = Math.Min(_firstSend, result.SendMicros);
            _lastSend = Math.Max(_lastSend, result.SendMicros);
            if (!result.Received)
            {
                _probeLost++;
                continue;
            }

            _probeReceivedBytes += result.Size;
            _firstArrival = Math.Min(_firstArrival, result.ArrivalMicros);
            _lastArrival = Math.Max(_lastArrival, result.ArrivalMicros);
        }

        if (!_evaluating)
        {
            return 0;
        }

        // Wait for feedback on nearly all of it; feedback that never comes (lost reports, a
        // receiver that stopped reporting) ends the wait after EvaluationTimeout.
        bool late = time.GetTimestamp() - _start > _durationTicks + (long)(EvaluationTimeout.TotalSeconds * time.TimestampFrequency);
        if (_probeResolved < _probeSent * 0.95 && usage != BandwidthUsage.Overusing && !late)
        {
            return 0;
        }

        _evaluating = false;
        long arrivalSpan = _lastArrival - _firstArrival;
        long sendSpan = _lastSend - _firstSend;
        long sent = sendSpan > 0 ? _probeSentBytes * 8 * 1_000_000 / sendSpan : 0;
        long delivered = arrivalSpan > 0 ? _probeReceivedBytes * 8 * 1_000_000 / Math.Max(arrivalSpan, sendSpan) : 0;
        LastSent = sent;
        LastDelivered = delivered;

        // Judged against what the probe really sent, not what it aimed at: padding rides on
        // forwarded packets and may fall short of the target, and a path that carried all of a
        // short probe still showed that much.
        bool success = usage != BandwidthUsage.Overusing && _probeLost <= _probeResolved / 20 && delivered > 0 && delivered >= Delivered * sent;
        lock (_gate)
        {
            // A success that fell short of what is wanted only because its target was capped at
            // twice the estimate goes on at once from the higher estimate (GoogCC's further
            // probing): a widened path is found in a few quarter-second probes, not one per back-off.
            bool capped = Target < (long)(Wanted * Overshoot) && delivered < Wanted;
            TimeSpan wait = success ? (capped ? TimeSpan.Zero : FirstBackoff) : _backoff;
            _nextAllowed = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
            _backoff = success ? FirstBackoff : TimeSpan.FromTicks(Math.Min((long)(_backoff.Ticks * 1.5), MaxBackoff.Ticks));
            _failedWanted = success ? long.MaxValue : Wanted;
            _failedAt = time.GetTimestamp();
        }

        if (success)
        {
            Succeeded++;
            return delivered;
        }

        return (long)(FailedShare * delivered);
    }
}
