namespace Sfu.Core.Routing;

/// <summary>
/// A simulcast layer's bitrate, over whole windows of a second of its arrivals. A window only
/// counts while the layer flows: when it stops for longer than <see cref="Gap"/> (dynacast
/// paused it, the publisher's uplink dropped it) and starts again, the bytes counted before the
/// gap are dropped and a new window starts at the first packet after it, so a window that spans the gap never reports its few
/// bytes over many seconds as the layer's rate. Until that window is full, what the layer
/// measured before the gap stands: the stream allocator prices the layer by it, and a resumed
/// layer priced near nothing would be given to a subscriber whose budget cannot carry it, and
/// taken back a second later.
/// The rate moves a quarter of the way to each new window's (a moving average over about four
/// seconds): a window holding a keyframe can carry half again the layer's usual bytes, and the
/// keyframe is often one a layer switch of ours just asked for, so a rate that jumped with it
/// would price the layer out of the budget of the subscriber that switched to it, move it back
/// down, ask the layer below for a keyframe, and go round again (seen every 2 s on a 600 kbit/s
/// link). Written on the media path, read from any thread.
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

    /// <summary>Each new window moves the rate this share of the way to its own.</summary>
    public const double Smoothing = 0.25;

    /// <summary>Bits per second, averaged over the last full windows (see <see cref="Smoothing"/>); 0 until one is full.</summary>
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

        // The packet that ends a window opens the next one: counted in both ends, a frame a
        // second would read as two in the first window.
        if (now - _windowStart >= frequency)
        {
            long window = _windowBytes * 8 * frequency / (now - _windowStart);
            long previous = _bitsPerSecond;
            Volatile.Write(ref _bitsPerSecond, previous == 0 ? window : previous + (long)((window - previous) * Smoothing));
            _windowStart = now;
            _windowBytes = 0;
        }

        _windowBytes += bytes;
    }
}
