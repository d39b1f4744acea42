namespace Sfu.Core.Congestion;

/// <summary>
/// A rate over the last <see cref="WindowMicros"/> of timestamps: by arrival time, what reached
/// the receiver (what the path carried, and what a decrease starts from); by send time, what we
/// sent. Pure; a fixed ring, nothing allocated per packet.
/// </summary>
public sealed class WindowedBitrate
{
    public const long WindowMicros = 500_000;

    private const int Capacity = 1024;

    private readonly long[] _arrival = new long[Capacity];
    private readonly int[] _size = new int[Capacity];
    private int _next;
    private int _count;
    private long _latest = long.MinValue;

    /// <summary>Bits per second, or 0 until a window's worth of packets arrived.</summary>
    public long BitsPerSecond { get; private set; }

    public void Add(long atMicros, int size)
    {
        _arrival[_next] = atMicros;
        _size[_next] = size;
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
        _latest = Math.Max(_latest, atMicros);
    }

    /// <summary>Recomputes <see cref="BitsPerSecond"/> from the window before the latest timestamp.</summary>
    public void Update()
    {
        if (_count == 0)
        {
            return;
        }

        long from = _latest - WindowMicros;
        long bytes = 0;
        long earliest = _latest;
        for (int i = 0; i < _count; i++)
        {
            if (_arrival[i] > from)
            {
                bytes += _size[i];
                earliest = Math.Min(earliest, _arrival[i]);
            }
        }

        long span = _latest - earliest;
        if (span >= WindowMicros / 4)
        {
            BitsPerSecond = bytes * 8 * 1_000_000 / Math.Max(span, WindowMicros / 2);
        }
    }
}
