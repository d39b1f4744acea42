using Sfu.Core.Rtp;

namespace Sfu.Core.Streams;

/// <summary>
/// Renumbers what one outgoing stream forwards from its source(s): the subscriber sees one
/// contiguous sequence of RTP sequence numbers and timestamps of its own (random starting
/// values, RFC 3550 §5.1) whatever the forwarder leaves out. Three things change the mapping:
/// <list type="bullet">
/// <item><see cref="Start"/>: the first packet forwarded.</item>
/// <item><see cref="Rebase"/>: forwarding goes on from another point of a source, or from
/// another source (after a pause; a simulcast layer switch): numbering continues after the last
/// number sent, and late packets from before that point are dropped, since their numbers
/// would repeat ones already used.</item>
/// <item><see cref="Skip"/>: the forwarder chose not to send the newest packet: the next one
/// takes its number, so the subscriber sees no gap to NACK (mediasoup's SeqManager and
/// LiveKit's RTPMunger do the same).</item>
/// </list>
/// Each change opens a range (input start, output start, timestamp offset, source); a bounded
/// ring of ranges also maps our numbers back to the source's (<see cref="TryMapBack"/>), so a
/// subscriber's NACK finds the right packet across switches. Sequence numbers are 64-bit
/// inside (extended per range epoch), so wrap-around never reaches the rules. Pure: no clock,
/// no I/O; allocated once, nothing per packet. One thread at a time.
/// </summary>
public sealed class SequenceTranslator
{
    /// <summary>Ranges remembered; with one range per skipped packet this covers ~2 s of video with frequent skips.</summary>
    public const int RangeCapacity = 64;

    private readonly long[] _inStart = new long[RangeCapacity];
    private readonly long[] _inEnd = new long[RangeCapacity];
    private readonly long[] _outStart = new long[RangeCapacity];
    private readonly uint[] _timestampOffset = new uint[RangeCapacity];
    private readonly int[] _source = new int[RangeCapacity];
    private readonly int[] _epoch = new int[RangeCapacity];
    private readonly Unwrapper<ushort> _input = new();
    private readonly ushort _initialSequenceNumber;
    private readonly uint _initialTimestamp;
    private int _newest = -1;
    private int _count;
    private int _currentEpoch;
    private long _epochFirstIn;
    private long _highestOut;
    private long _highestIn;

    // The newest range, mirrored from the ring: every forwarded packet but a reordered one
    // falls in it, and reading it from these fields touches one object instead of six arrays
    // (at a fan-out of hundreds each down-track's arrays have left the cache by its next packet).
    // It always belongs to the current epoch and is open-ended (Push).
    private long _newestInStart;
    private long _newestOutStart;
    private uint _newestTimestampOffset;
    private int _newestSource = -1;

    public SequenceTranslator(ushort initialSequenceNumber, uint initialTimestamp)
    {
        _initialSequenceNumber = initialSequenceNumber;
        _initialTimestamp = initialTimestamp;
    }

    public bool Started => _newest >= 0;

    /// <summary>
    /// Hints the CPU to load this object's fields ahead of a translation: the runtime lays out the
    /// seven references first, then the longs, then the ints, so the fields read for every packet
    /// (<c>_newest</c>, <c>_newestSource</c>) sit past the first line, ~130 bytes in. The fan-out
    /// hinted only the first line, and a profile of 1 → 1,000 showed the first read of
    /// <c>_newest</c> holding a fifth of a down-track's samples (see <see cref="CachePrefetch"/>).
    /// No effect on behaviour.
    /// </summary>
    internal void Prefetch() => CachePrefetch.Object(this, 136);

    /// <summary>A turn after <see cref="Prefetch"/>: the input unwrapper, read next. No effect on behaviour.</summary>
    internal void PrefetchInput() => CachePrefetch.Object(_input);

    /// <summary>The highest sequence number sent so far (meaningful once started).</summary>
    public ushort HighestSequenceNumber => unchecked((ushort)_highestOut);

    /// <summary>Added to the current source's RTP timestamps (0 before the start).</summary>
    public uint TimestampOffset => _newest < 0 ? 0 : _newestTimestampOffset;

    /// <summary>The source the current range translates (see <see cref="Rebase"/>).</summary>
    public int CurrentSource => _newestSource;

    /// <summary>
    /// Takes the first packet to forward: it gets the initial sequence number and timestamp.
    /// </summary>
    public void Start(int source, ushort sequenceNumber, uint timestamp)
    {
        _highestOut = _initialSequenceNumber - 1L;
        OpenEpoch(source, sequenceNumber, unchecked(_initialTimestamp - timestamp));
    }

    /// <summary>
    /// Forwarding goes on from <paramref name="sequenceNumber"/> of <paramref name="source"/>:
    /// it gets the number after the last one sent and the output timestamp
    /// <paramref name="outputTimestamp"/> (chosen by the caller, which knows how much time passed).
    /// </summary>
    public void Rebase(int source, ushort sequenceNumber, uint timestamp, uint outputTimestamp)
    {
        if (!Started)
        {
            throw new InvalidOperationException("Rebase needs a started translator; call Start first.");
        }

        OpenEpoch(source, sequenceNumber, unchecked(outputTimestamp - timestamp));
    }

    /// <summary>
    /// Our sequence number and timestamp for a packet of the current source; false when it
    /// must be dropped: older than the current epoch, or a packet that was skipped.
    /// </summary>
    public bool TryTranslate(ushort sequenceNumber, uint timestamp, out ushort outputSequenceNumber, out uint outputTimestamp)
    {
        outputSequenceNumber = 0;
        outputTimestamp = 0;
        if (_newest < 0)
        {
            return false;
        }

        long input = _input.Unwrap(sequenceNumber);
        if (input < _epochFirstIn)
        {
            return false;
        }

        long output;
        uint timestampOffset;
        if (input >= _newestInStart)
        {
            output = _newestOutStart + (input - _newestInStart);
            timestampOffset = _newestTimestampOffset;
        }
        else
        {
            int range = FindForward(input);
            if (range < 0)
            {
                return false;
            }

            output = _outStart[range] + (input - _inStart[range]);
            timestampOffset = _timestampOffset[range];
        }

        if (output > _highestOut)
        {
            _highestOut = output;
        }

        if (input > _highestIn)
        {
            _highestIn = input;
        }

        outputSequenceNumber = unchecked((ushort)output);
        outputTimestamp = unchecked(timestamp + timestampOffset);
        return true;
    }

    /// <summary>
    /// The forwarder leaves out this packet of the current source. When it is the newest seen,
    /// the next packet takes its number; an older one (reordered) keeps its slot, a hole the
    /// subscriber may NACK in vain.
    /// </summary>
    public void Skip(ushort sequenceNumber)
    {
        if (_newest < 0)
        {
            return;
        }

        long input = _input.Unwrap(sequenceNumber);
        if (input <= _highestIn || input < _epochFirstIn)
        {
            return;
        }

        _highestIn = input;
        int current = _newest;
        long output = _outStart[current] + (input - _inStart[current]);
        _inEnd[current] = input - 1;
        Push(_source[current], _currentEpoch, input + 1, output, _timestampOffset[current]);
    }

    /// <summary>
    /// A number for a packet of our own between forwarded ones (a padding-only probe): the next
    /// one after the last sent; later packets of the source are numbered after it. It maps back
    /// to nothing, so a NACK for it goes unanswered. False before the start.
    /// </summary>
    public bool TryReserve(out ushort sequenceNumber)
    {
        sequenceNumber = 0;
        if (_newest < 0)
        {
            return false;
        }

        _highestOut++;
        sequenceNumber = unchecked((ushort)_highestOut);
        int current = _newest;
        long next = _highestIn + 1;
        _inEnd[current] = _highestIn;
        Push(_source[current], _currentEpoch, next, _highestOut + 1, _timestampOffset[current]);
        return true;
    }

    /// <summary>
    /// Which packet of which source one of our sequence numbers carried, and the timestamp
    /// offset it was sent with, so a NACK can be answered with the same packet rewritten the
    /// same way. False when the number was never sent or is older than the ranges remembered.
    /// </summary>
    public bool TryMapBack(ushort outputSequenceNumber, out int source, out ushort sequenceNumber, out uint timestampOffset)
    {
        source = -1;
        sequenceNumber = 0;
        timestampOffset = 0;
        if (_newest < 0)
        {
            return false;
        }

        long output = _highestOut + RtpSequence.Distance(unchecked((ushort)_highestOut), outputSequenceNumber);
        if (output > _highestOut)
        {
            return false;
        }

        for (int i = 0, index = _newest; i < _count; i++, index = (index + RangeCapacity - 1) % RangeCapacity)
        {
            if (output < _outStart[index])
            {
                continue;
            }

            long input = _inStart[index] + (output - _outStart[index]);
            if (input > _inEnd[index])
            {
                return false;
            }

            source = _source[index];
            sequenceNumber = unchecked((ushort)input);
            timestampOffset = _timestampOffset[index];
            return true;
        }

        return false;
    }

    private void OpenEpoch(int source, ushort sequenceNumber, uint timestampOffset)
    {
        if (_newest >= 0)
        {
            _inEnd[_newest] = _highestIn;
        }

        _currentEpoch++;
        _input.Reset();
        long input = _input.Unwrap(sequenceNumber);
        _epochFirstIn = input;
        _highestIn = input - 1;
        Push(source, _currentEpoch, input, _highestOut + 1, timestampOffset);
    }

    private void Push(int source, int epoch, long inStart, long outStart, uint timestampOffset)
    {
        _newest = (_newest + 1) % RangeCapacity;
        _count = Math.Min(_count + 1, RangeCapacity);
        _inStart[_newest] = inStart;
        _inEnd[_newest] = long.MaxValue;
        _outStart[_newest] = outStart;
        _timestampOffset[_newest] = timestampOffset;
        _source[_newest] = source;
        _epoch[_newest] = epoch;
        _newestInStart = inStart;
        _newestOutStart = outStart;
        _newestTimestampOffset = timestampOffset;
        _newestSource = source;
    }

    /// <summary>The newest range of the current epoch that starts at or before <paramref name="input"/>, if it still covers it.</summary>
    private int FindForward(long input)
    {
        for (int i = 0, index = _newest; i < _count; i++, index = (index + RangeCapacity - 1) % RangeCapacity)
        {
            if (_epoch[index] != _currentEpoch)
            {
                return -1;
            }

            if (_inStart[index] <= input)
            {
                return input <= _inEnd[index] ? index : -1;
            }
        }

        return -1;
    }
}
