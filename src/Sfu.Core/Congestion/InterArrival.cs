namespace Sfu.Core.Congestion;

/// <summary>
/// Groups packets sent within a burst (5 ms, as libwebrtc's InterArrival does) and yields, per
/// pair of consecutive groups, how much longer (or shorter) the second took to arrive than to
/// be sent: the change in queuing delay along the path. Packets that arrive in a burst, faster
/// than they were sent, join the group they caught up with. A group counts once its successor
/// starts; reordered packets (sent before the current group) are ignored. Pure.
/// </summary>
public sealed class InterArrival
{
    public const long BurstMicros = 5_000;

    private bool _hasGroup;
    private bool _hasPrevious;
    private long _groupFirstSend;
    private long _groupLastSend;
    private long _groupLastArrival;
    private long _previousLastSend;
    private long _previousLastArrival;

    /// <summary>
    /// Takes one received packet; true when a group just completed, with the send and arrival
    /// deltas (µs) between it and the group before, and the arrival time of its last packet.
    /// </summary>
    public bool Add(long sendMicros, long arrivalMicros, out long sendDelta, out long arrivalDelta, out long groupArrival)
    {
        sendDelta = 0;
        arrivalDelta = 0;
        groupArrival = 0;
        if (!_hasGroup)
        {
            StartGroup(sendMicros, arrivalMicros);
            return false;
        }

        if (sendMicros < _groupFirstSend)
        {
            return false;
        }

        if (sendMicros - _groupFirstSend <= BurstMicros || BelongsToBurst(sendMicros, arrivalMicros))
        {
            _groupLastSend = Math.Max(_groupLastSend, sendMicros);
            _groupLastArrival = Math.Max(_groupLastArrival, arrivalMicros);
            return false;
        }

        bool completed = false;
        if (_hasPrevious)
        {
            sendDelta = _groupLastSend - _previousLastSend;
            arrivalDelta = _groupLastArrival - _previousLastArrival;
            groupArrival = _groupLastArrival;
            completed = true;
        }

        _previousLastSend = _groupLastSend;
        _previousLastArrival = _groupLastArrival;
        _hasPrevious = true;
        StartGroup(sendMicros, arrivalMicros);
        return completed;
    }

    /// <summary>
    /// A packet that arrived within <see cref="BurstMicros"/> of the group's last one, sooner
    /// after it than it was sent: what waited while the receiver (or its network stack) was not
    /// reading, handed over at once. It joins the group it caught up with, as libwebrtc's
    /// InterArrival::BelongsToBurst does; else the catch-up after every stall of a loaded machine
    /// would read as a queue that grew and drained.
    /// </summary>
    private bool BelongsToBurst(long sendMicros, long arrivalMicros)
    {
        long arrivalDelta = arrivalMicros - _groupLastArrival;
        long sendDelta = sendMicros - _groupLastSend;
        return arrivalDelta >= 0 && arrivalDelta <= BurstMicros && arrivalDelta < sendDelta;
    }

    private void StartGroup(long sendMicros, long arrivalMicros)
    {
        _hasGroup = true;
        _groupFirstSend = sendMicros;
        _groupLastSend = sendMicros;
        _groupLastArrival = arrivalMicros;
    }
}
