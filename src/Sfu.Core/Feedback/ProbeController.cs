using Sfu.Core.Congestion;

namespace Sfu.Core.Feedback;

/// <summary>
/// Finds out whether a subscriber's path carries more before we send it more: when what it
/// wants exceeds the estimate, we pad what we send up to a higher rate for half a second
/// (padding-only RTP, RFC 3550 §5.1, which its decoder skips and its transport-wide feedback
/// still counts), then read from that feedback what the path delivered during the probe. If it
/// delivered close to what we sent, the estimate jumps there; if not, the next probe waits
/// longer — 3 s, growing ×1.5 to a minute, as LiveKit's probe regulator does. Padding only
/// ever fills the gap between what is sent and the probe rate. Any thread for
/// <see cref="Want"/>; the rest on the receive loop.
/// </summary>
public sealed class ProbeController(TimeProvider time)
{
    public static readonly TimeSpan Duration = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    /// <summary>A probe succeeds when the path delivered at least this share of what we sent during it.</summary>
    public const double Delivered = 0.9;

    private readonly Lock _gate = new();
    private readonly long _durationTicks = (long)(Duration.TotalSeconds * time.TimestampFrequency);
    private TimeSpan _backoff = FirstBackoff;
    private long _nextAllowed;
    private long _start;
    private long _paddingRate;
    private long _paddingSent;
    private volatile bool _sending;
    private bool _evaluating;
    private long _probeSent;
    private long _probeReceivedBytes;
    private int _probeResolved;
    private int _probeLost;
    private long _firstArrival = long.MaxValue;
    private long _lastArrival = long.MinValue;
    private long _firstSend = long.MaxValue;
    private long _lastSend = long.MinValue;
    private long _target;

    /// <summary>Probes started, and how many of them showed more bandwidth.</summary>
    public int Started { get; private set; }

    public int Succeeded { get; private set; }

    /// <summary>True while packets leave as part of a probe.</summary>
    public bool IsProbing => _sending;

    /// <summary>
    /// The allocator could not give the subscriber all it wants: <paramref name="wanted"/> bits
    /// per second against an estimate of <paramref name="estimate"/>, of which <paramref name="sending"/>
    /// is in use. Starts a probe toward what it wants (at most twice the estimate) unless one ran
    /// or failed too recently.
    /// </summary>
    public void Want(long wanted, long estimate, long sending)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            if (_sending || _evaluating || wanted <= estimate || now < _nextAllowed)
            {
                return;
            }

            _target = Math.Min((long)(wanted * 1.1), Math.Max(2 * estimate, estimate + 300_000));
            _paddingRate = Math.Max(0, _target - sending);
            if (_paddingRate == 0)
            {
                return;
            }

            _start = now;
            _paddingSent = 0;
            _probeSent = 0;
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

    /// <summary>Padding bytes due now to keep the probe at its rate; 0 when no probe runs. Receive loop.</summary>
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

    /// <summary>A packet left: counts toward the probe when one runs. Receive loop.</summary>
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
    /// the rate the path delivered if the probe showed more bandwidth, else 0. Receive loop.
    /// </summary>
    public long OnResults(ReadOnlySpan<PacketResult> results, BandwidthUsage usage)
    {
        if (!_evaluating)
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

        if (_probeResolved < _probeSent * 0.95 && usage != BandwidthUsage.Overusing)
        {
            return 0;
        }

        _evaluating = false;
        long arrivalSpan = _lastArrival - _firstArrival;
        long sendSpan = _lastSend - _firstSend;
        long delivered = arrivalSpan > 0 ? _probeReceivedBytes * 8 * 1_000_000 / Math.Max(arrivalSpan, sendSpan) : 0;
        bool success = usage != BandwidthUsage.Overusing && _probeLost <= _probeResolved / 20 && delivered >= Delivered * _target;
        lock (_gate)
        {
            TimeSpan wait = success ? FirstBackoff : _backoff;
            _nextAllowed = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
            _backoff = success ? FirstBackoff : TimeSpan.FromTicks(Math.Min((long)(_backoff.Ticks * 1.5), MaxBackoff.Ticks));
        }

        if (success)
        {
            Succeeded++;
            return delivered;
        }

        return 0;
    }
}
