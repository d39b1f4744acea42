namespace Sfu.Core.Congestion;

/// <summary>
/// GoogCC's delay-based overuse detection (draft-ietf-rmcat-gcc-02 §5.3, libwebrtc's
/// TrendlineEstimator): the accumulated delay variation, smoothed, against arrival time over
/// the last <see cref="Window"/> groups; the slope of a least-squares line through them,
/// scaled, is compared with an adaptive threshold that follows the trend slowly upward and
/// quickly downward, so a persistent queue build-up is overuse while jitter is not. Pure.
/// </summary>
/// <param name="overuseMs">How long (of send time) the trend must stay above the threshold before it is overuse: libwebrtc's 10 ms by default.</param>
public sealed class TrendlineEstimator(double overuseMs = TrendlineEstimator.DefaultOveruseMs)
{
    public const double DefaultOveruseMs = 10;

    public const int Window = 20;

    private const double Smoothing = 0.9;
    private const double Gain = 4.0;
    private const double ThresholdUp = 0.0087;
    private const double ThresholdDown = 0.039;
    private const double MinThreshold = 6;
    private const double MaxThreshold = 600;

    private readonly double[] _arrivalMs = new double[Window];
    private readonly double[] _delayMs = new double[Window];
    private int _count;
    private int _next;
    private double _accumulated;
    private double _smoothed;
    private double _firstArrivalMs = double.NaN;
    private double _threshold = 12.5;
    private double _previousTrend;
    private double _overuseTime;
    private int _overuseCount;
    private double _lastUpdateMs = double.NaN;
    private int _deltas;

    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;

    /// <summary>The last modified trend (ms of growth per window, scaled), for diagnostics.</summary>
    public double Trend { get; private set; }

    public double Threshold => _threshold;

    /// <summary>One pair of groups from <see cref="InterArrival"/>; returns the state after it.</summary>
    public BandwidthUsage Update(long sendDeltaMicros, long arrivalDeltaMicros, long arrivalMicros)
    {
        double arrivalMs = arrivalMicros / 1000.0;
        if (double.IsNaN(_firstArrivalMs))
        {
            _firstArrivalMs = arrivalMs;
        }

        _deltas = Math.Min(_deltas + 1, 1000);
        _accumulated += (arrivalDeltaMicros - sendDeltaMicros) / 1000.0;
        _smoothed = (Smoothing * _smoothed) + ((1 - Smoothing) * _accumulated);
        _arrivalMs[_next] = arrivalMs - _firstArrivalMs;
        _delayMs[_next] = _smoothed;
        _next = (_next + 1) % Window;
        _count = Math.Min(_count + 1, Window);
        if (_count == Window)
        {
            Trend = Math.Min(_deltas, 60) * Slope() * Gain;
            Detect(sendDeltaMicros / 1000.0, arrivalMs);
        }

        return State;
    }

    private double Slope()
    {
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < _count; i++)
        {
            meanX += _arrivalMs[i];
            meanY += _delayMs[i];
        }

        meanX /= _count;
        meanY /= _count;
        double numerator = 0;
        double denominator = 0;
        for (int i = 0; i < _count; i++)
        {
            double dx = _arrivalMs[i] - meanX;
            numerator += dx * (_delayMs[i] - meanY);
            denominator += dx * dx;
        }

        return denominator == 0 ? 0 : numerator / denominator;
    }

    private void Detect(double sendDeltaMs, double nowMs)
    {
        if (Trend > _threshold)
        {
            _overuseTime = _overuseCount == 0 ? sendDeltaMs / 2 : _overuseTime + sendDeltaMs;
            _overuseCount++;
            if (_overuseTime > overuseMs && _overuseCount > 1 && Trend >= _previousTrend)
            {
                _overuseTime = 0;
                _overuseCount = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (Trend < -_threshold)
        {
            _overuseTime = 0;
            _overuseCount = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _overuseTime = 0;
            _overuseCount = 0;
            State = BandwidthUsage.Normal;
        }

        _previousTrend = Trend;
        AdaptThreshold(nowMs);
    }

    private void AdaptThreshold(double nowMs)
    {
        if (double.IsNaN(_lastUpdateMs))
        {
            _lastUpdateMs = nowMs;
        }

        // A spike far beyond the threshold (a route change, a pause) should not drag it up.
        if (Math.Abs(Trend) > _threshold + 15)
        {
            _lastUpdateMs = nowMs;
            return;
        }

        double k = Math.Abs(Trend) < _threshold ? ThresholdDown : ThresholdUp;
        double elapsed = Math.Min(nowMs - _lastUpdateMs, 100);
        _threshold = Math.Clamp(_threshold + (k * (Math.Abs(Trend) - _threshold) * elapsed), MinThreshold, MaxThreshold);
        _lastUpdateMs = nowMs;
    }
}
