namespace Sfu.Core.Routing;

/// <summary>
/// A simulcast layer's bitrate, over whole windows of a second of its arrivals. A window only
/// counts while the layer flows: when it stops for longer than <see cref="Gap"/> (dynacast
/// paused it, the publisher's uplink dropped it) and starts again, the bytes counted before the
/// gap are dropped and a new window starts at the first packet after it, so a window that spans the gap never reports its few
/// bytes over many seconds as the layer's rate. Until that window is full, what the layer
/// measured before the gap stands: the stream allocator prices the layer by it, and a resumed
/// layer priced near nothing would be given to a subscriber whose budget cannot carry it, and
/// taken back a second later. Written on the media path, read from any thread.
/// </summary>
public sealed class LayerBitrate(long frequency)
{
    /// <summary>
    /// Silence this long means the layer stopped. Longer than a window, so a low frame rate (a
    /// screen share's one frame a second) still measures over whole windows.
    /// </summary>
    public static readonly TimeSpan Gap = TimeSpan.FromSeconds(2);

    private readonly long _gapTicks = (long)(Gap.TotalSeconds * frequency);
    private long _windowStart = long.MinValue;
    private long _windowBytes;
    private long _lastArrival = long.MinValue;
    private long _bitsPerSecond;

    /// <summary>Bits per second over the last full window; 0 until one is.</summary>
    public long BitsPerSecond => Volatile.Read(ref _bitsPerSecond);

    /// <summary>A packet of <paramref name="bytes"/> arrived at <paramref name="now"/> (timestamp ticks). Media path.</summary>
    public void Add(int bytes, long now)
    {
        if (_lastArrival == long.MinValue || now - _lastArrival >= _gapTicks)
        {
            _windowStart = now;
            _windowBytes = 0;
        }

        _lastArrival = now;
        _windowBytes += bytes;
        if (now - _windowStart >= frequency)
        {
            Volatile.Write(ref _bitsPerSecond, _windowBytes * 8 * frequency / (now - _windowStart));
            _windowStart = now;
            _windowBytes = 0;
        }
    }
}
