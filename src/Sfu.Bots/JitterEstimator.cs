namespace Sfu.Bots;

/// <summary>
/// Interarrival jitter of one RTP stream, as RFC 3550 §6.4.1 defines it and A.8 computes it:
/// J += (|D(i-1,i)| - J) / 16, where D is the change in relative transit time.
/// </summary>
internal sealed class JitterEstimator(int clockRate)
{
    private readonly double _clockRate = clockRate;
    private double _lastTransit;
    private bool _started;

    /// <summary>Current estimate in RTP timestamp units (what an RTCP report block carries).</summary>
    public double JitterUnits { get; private set; }

    /// <summary>Current estimate in milliseconds.</summary>
    public double JitterMilliseconds => JitterUnits * 1000.0 / _clockRate;

    /// <param name="arrivalSeconds">Arrival time on any monotonic clock, in seconds.</param>
    /// <param name="rtpTimestamp">The unwrapped RTP timestamp of the packet.</param>
    public void Update(double arrivalSeconds, long rtpTimestamp)
    {
        // Transit is measured in timestamp units; its absolute offset is meaningless, only its changes.
        double transit = (arrivalSeconds * _clockRate) - rtpTimestamp;
        if (_started)
        {
            double d = Math.Abs(transit - _lastTransit);
            JitterUnits += (d - JitterUnits) / 16.0;
        }

        _lastTransit = transit;
        _started = true;
    }
}
