namespace Sfu.Core.Streams;

/// <summary>
/// Which packets of a publisher's stream never arrived and should be asked for again with a
/// generic NACK (RFC 4585 §6.2.1), so loss on the publisher's uplink is repaired once at the
/// server instead of reaching every subscriber. A gap in sequence numbers marks packets
/// missing; a missing packet is asked for at once, then again after
/// <see cref="RetryInterval"/> (set from the round-trip time once it is known, so a retry does
/// not overtake the retransmission still on its way), at most <see cref="MaxRequests"/> times,
/// and forgotten after
/// <see cref="GiveUpAfter"/> (the frame it belonged to is long due by then). Fixed capacity,
/// nothing allocated after construction; pure apart from the timestamps passed in, so every
/// rule is a table test. Media path only (one thread at a time: its room's media gate).
/// </summary>
public sealed class NackGenerator
{
    /// <summary>Packets tracked at once; a longer gap is a burst no retransmission will save.</summary>
    public const int Capacity = 256;

    /// <summary>A jump larger than this is not loss to repair (a restarted stream, a long outage): a keyframe is the cure.</summary>
    public const int MaxGap = Capacity;

    /// <summary>
    /// Requests per missing packet (libwebrtc's and mediasoup's limit too). A publisher ignores a
    /// NACK for a packet whose retransmission is still queued in its pacer, so on a busy machine the
    /// first few retries can all land before the first answer leaves; if that answer is then lost,
    /// only a later retry repairs the packet.
    /// </summary>
    public const int MaxRequests = 10;

    private readonly ushort[] _sequenceNumbers = new ushort[Capacity];
    private readonly long[] _firstMissing = new long[Capacity];
    private readonly long[] _lastRequested = new long[Capacity];
    private readonly byte[] _requests = new byte[Capacity];
    private readonly long _tickFrequency;
    private readonly long _giveUpTicks;
    private long _retryTicks;
    private int _count;
    private ushort _highest;
    private bool _started;

    /// <param name="time">Only for its tick frequency: timestamps come in with each call.</param>
    public NackGenerator(TimeProvider time, TimeSpan retryInterval, TimeSpan giveUpAfter)
    {
        ArgumentNullException.ThrowIfNull(time);
        GiveUpAfter = giveUpAfter;
        _tickFrequency = time.TimestampFrequency;
        _giveUpTicks = (long)(giveUpAfter.TotalSeconds * _tickFrequency);
        RetryInterval = retryInterval;
    }

    /// <summary>How long before a packet is asked for again. Any thread may set it (one 64-bit store).</summary>
    public TimeSpan RetryInterval
    {
        get => TimeSpan.FromSeconds(Volatile.Read(ref _retryTicks) / (double)_tickFrequency);
        set => Volatile.Write(ref _retryTicks, (long)(value.TotalSeconds * _tickFrequency));
    }

    public TimeSpan GiveUpAfter { get; }

    /// <summary>Packets currently missing.</summary>
    public int MissingCount => _count;

    /// <summary>
    /// Notes one arrived packet. A packet beyond the highest seen marks those in between
    /// missing; an older one (reordered, or the retransmission we asked for) is no longer missing.
    /// Returns false when the jump was too large to track, so the caller may ask for a keyframe.
    /// </summary>
    public bool OnPacket(ushort sequenceNumber, long now)
    {
        if (!_started)
        {
            _started = true;
            _highest = sequenceNumber;
            return true;
        }

        int ahead = unchecked((short)(sequenceNumber - _highest));
        if (ahead <= 0)
        {
            Resolve(sequenceNumber);
            return true;
        }

        _highest = sequenceNumber;
        if (ahead == 1)
        {
            return true;
        }

        if (ahead - 1 > MaxGap)
        {
            _count = 0;
            return false;
        }

        // Make room for the whole gap at once: the oldest entries are the least likely to be
        // useful still, and one shift per gap (not one per packet added) keeps a publisher that
        // jumps by MaxGap on every packet from costing more than a copy of the table.
        int gap = ahead - 1;
        int overflow = _count + gap - Capacity;
        if (overflow > 0)
        {
            RemoveFirst(overflow);
        }

        for (int i = 1; i < ahead; i++)
        {
            Add(unchecked((ushort)(sequenceNumber - ahead + i)), now);
        }

        return true;
    }

    /// <summary>
    /// Writes the sequence numbers to ask for now into <paramref name="due"/> (in increasing
    /// order of when they went missing) and counts the request; forgets those asked for
    /// <see cref="MaxRequests"/> times or missing longer than <see cref="GiveUpAfter"/>.
    /// </summary>
    public int CollectDue(long now, Span<ushort> due)
    {
        int written = 0;
        int kept = 0;
        long retryTicks = Volatile.Read(ref _retryTicks);
        for (int i = 0; i < _count; i++)
        {
            bool expired = now - _firstMissing[i] > _giveUpTicks || _requests[i] >= MaxRequests;
            if (expired)
            {
                continue;
            }

            if (written < due.Length && (_requests[i] == 0 || now - _lastRequested[i] >= retryTicks))
            {
                due[written++] = _sequenceNumbers[i];
                _requests[i]++;
                _lastRequested[i] = now;
            }

            if (kept != i)
            {
                _sequenceNumbers[kept] = _sequenceNumbers[i];
                _firstMissing[kept] = _firstMissing[i];
                _lastRequested[kept] = _lastRequested[i];
                _requests[kept] = _requests[i];
            }

            kept++;
        }

        _count = kept;
        return written;
    }

    /// <summary>
    /// Forgets what is missing and takes the next packet as a new start: the stream was
    /// deliberately not sent to us for a while (a relayed layer nobody here wanted), so the gap
    /// it leaves is not loss to repair.
    /// </summary>
    public void Restart()
    {
        _started = false;
        _count = 0;
    }

    /// <summary>True while <paramref name="sequenceNumber"/> is missing and still asked for.</summary>
    public bool IsMissing(ushort sequenceNumber) => _sequenceNumbers.AsSpan(0, _count).Contains(sequenceNumber);

    /// <summary>
    /// A retransmission arrived: true (and no longer missing) when it was one we are waiting
    /// for; false for a packet we already have, such as the old packets a publisher resends as
    /// bandwidth probes.
    /// </summary>
    public bool Resolve(ushort sequenceNumber)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_sequenceNumbers[i] == sequenceNumber)
            {
                RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    /// <summary>Appends one entry; the caller has made room.</summary>
    private void Add(ushort sequenceNumber, long now)
    {
        _sequenceNumbers[_count] = sequenceNumber;
        _firstMissing[_count] = now;
        _lastRequested[_count] = 0;
        _requests[_count] = 0;
        _count++;
    }

    private void RemoveFirst(int n)
    {
        int tail = _count - n;
        if (tail > 0)
        {
            Array.Copy(_sequenceNumbers, n, _sequenceNumbers, 0, tail);
            Array.Copy(_firstMissing, n, _firstMissing, 0, tail);
            Array.Copy(_lastRequested, n, _lastRequested, 0, tail);
            Array.Copy(_requests, n, _requests, 0, tail);
        }

        _count = Math.Max(0, tail);
    }

    private void RemoveAt(int index)
    {
        int tail = _count - index - 1;
        if (tail > 0)
        {
            Array.Copy(_sequenceNumbers, index + 1, _sequenceNumbers, index, tail);
            Array.Copy(_firstMissing, index + 1, _firstMissing, index, tail);
            Array.Copy(_lastRequested, index + 1, _lastRequested, index, tail);
            Array.Copy(_requests, index + 1, _requests, index, tail);
        }

        _count--;
    }
}
