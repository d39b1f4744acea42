namespace Sfu.Core.Sessions;

/// <summary>
/// How much one peer may send us: packets and bits per second, counted in one-second windows
/// on the media path before anything is decrypted (a flood then costs a counter, not an AES
/// pass). What passes either bound in a window is dropped; a peer that passes them in
/// <see cref="MediaLimits.IngressBreachSeconds"/> consecutive windows is
/// <see cref="IsBreached"/>, and housekeeping removes it. Media path only (one thread at a time: its room's media gate), except the readers.
/// </summary>
public sealed class IngressLimiter
{
    private readonly long _packetsPerWindow;
    private readonly long _bytesPerWindow;
    private readonly int _breachWindows;
    private readonly long _window;
    private long _windowStart;
    private long _packets;
    private long _bytes;
    private bool _overInWindow;
    private int _consecutive;
    private volatile bool _breached;

    /// <param name="limits">Its packets/s, bits/s and breach seconds; 0 turns a bound off.</param>
    /// <param name="frequency">Ticks per second of the timestamps given to <see cref="Admit"/>.</param>
    public IngressLimiter(MediaLimits limits, long frequency)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _packetsPerWindow = limits.IngressPacketsPerSecond;
        _bytesPerWindow = limits.IngressBitsPerSecond / 8;
        _breachWindows = limits.IngressBreachSeconds;
        _window = frequency;
        _windowStart = long.MinValue;
    }

    /// <summary>Over its limit for long enough that it should be removed. Any thread.</summary>
    public bool IsBreached => _breached;

    /// <summary>Whether a datagram of <paramref name="bytes"/> arriving at <paramref name="now"/> may be used.</summary>
    public bool Admit(int bytes, long now)
    {
        if (_windowStart == long.MinValue || now - _windowStart >= _window)
        {
            NextWindow(now);
        }

        _packets++;
        _bytes += bytes;
        if ((_packetsPerWindow > 0 && _packets > _packetsPerWindow) || (_bytesPerWindow > 0 && _bytes > _bytesPerWindow))
        {
            _overInWindow = true;
            return false;
        }

        return true;
    }

    private void NextWindow(long now)
    {
        // A gap of a whole window or more means at least one window within the limit.
        bool adjacent = _windowStart != long.MinValue && now - _windowStart < 2 * _window;
        _consecutive = _overInWindow && adjacent ? _consecutive + 1 : 0;
        if (_breachWindows > 0 && _consecutive >= _breachWindows)
        {
            _breached = true;
        }

        _windowStart = adjacent ? _windowStart + _window : now;
        _packets = 0;
        _bytes = 0;
        _overInWindow = false;
    }
}
