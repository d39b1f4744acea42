namespace Sfu.Core.Routing;

/// <summary>
/// Per-subscriber sequence and timestamp translation of one forwarded stream. The subscriber
/// sees its own random starting sequence number and timestamp (RFC 3550 §5.1 asks for random
/// initial values), and video starts on a keyframe so its decoder never begins mid-GOP.
/// After a pause (<see cref="Resume"/>) numbering goes on from the last packet sent, so the
/// subscriber sees a quiet stretch rather than hundreds of lost packets to NACK; timestamps
/// keep their offset and so show the time that passed, as RTP timestamps should.
/// Pure: no I/O, no clock, so every rule is covered by table tests.
/// </summary>
public struct Forwarder
{
    /// <summary>How far back a late packet from before a resume is still recognised.</summary>
    private const int ReorderWindow = 1024;

    /// <summary>The widest range of our numbers <see cref="CanRetransmit"/> accepts.</summary>
    private const ushort RetransmitSpan = 0x7FFF;

    private readonly ushort _initialSequenceNumber;
    private readonly uint _initialTimestamp;
    private ushort _sequenceOffset;
    private uint _timestampOffset;
    private ushort _highestSequenceNumber;
    private ushort _firstSequenceNumberSinceResume;
    private ushort _resumeSourceSequenceNumber;
    private bool _resuming;
    private bool _resumed;

    public Forwarder(bool isVideo, ushort initialSequenceNumber, uint initialTimestamp)
    {
        IsVideo = isVideo;
        _initialSequenceNumber = initialSequenceNumber;
        _initialTimestamp = initialTimestamp;
    }

    public bool IsVideo { get; }

    public bool Started { get; private set; }

    /// <summary>Added to the publisher's RTP timestamps; SR translation uses it too.</summary>
    public readonly uint TimestampOffset => _timestampOffset;

    public readonly ushort SequenceOffset => _sequenceOffset;

    /// <summary>
    /// True when <paramref name="sequenceNumber"/> (the subscriber's numbering) was sent under the
    /// current offset, so the packet behind it can be found and resent; numbers from before a
    /// resume belong to another offset and are not.
    /// </summary>
    public readonly bool CanRetransmit(ushort sequenceNumber)
        => Started && !_resuming
            && unchecked((ushort)(_highestSequenceNumber - sequenceNumber)) <= unchecked((ushort)(_highestSequenceNumber - _firstSequenceNumberSinceResume));

    /// <summary>
    /// Forwarding goes on after a gap the subscriber chose (a paused track): the next packet
    /// forwarded, a keyframe for video, gets the number after the last one sent.
    /// </summary>
    public void Resume()
    {
        if (Started)
        {
            _resuming = true;
        }
    }

    /// <param name="payloadType">The subscriber's payload type for the packet's codec, or null when it has none.</param>
    public ForwardDecision Decide(ushort sequenceNumber, uint timestamp, byte? payloadType, bool isKeyframe)
    {
        if (payloadType is not byte pt)
        {
            return ForwardDecision.Drop(ForwardAction.DropUnsupportedCodec);
        }

        if (!Started)
        {
            if (IsVideo && !isKeyframe)
            {
                return ForwardDecision.Drop(ForwardAction.DropWaitingForKeyframe, requestKeyframe: true);
            }

            _sequenceOffset = unchecked((ushort)(_initialSequenceNumber - sequenceNumber));
            _timestampOffset = unchecked(_initialTimestamp - timestamp);
            _highestSequenceNumber = _initialSequenceNumber;
            _firstSequenceNumberSinceResume = _initialSequenceNumber;
            Started = true;
        }
        else if (_resuming)
        {
            if (IsVideo && !isKeyframe)
            {
                return ForwardDecision.Drop(ForwardAction.DropWaitingForKeyframe, requestKeyframe: true);
            }

            ushort next = unchecked((ushort)(_highestSequenceNumber + 1));
            _sequenceOffset = unchecked((ushort)(next - sequenceNumber));
            _firstSequenceNumberSinceResume = next;
            _resumeSourceSequenceNumber = sequenceNumber;
            _resuming = false;
            _resumed = true;
        }
        else if (_resumed)
        {
            short sinceResume = unchecked((short)(sequenceNumber - _resumeSourceSequenceNumber));
            if (sinceResume < 0)
            {
                return ForwardDecision.Drop(ForwardAction.DropOlderThanResume);
            }

            // Far past the resume point, a packet from before it can no longer arrive; stop
            // comparing before the 16-bit difference wraps.
            _resumed = sinceResume <= ReorderWindow;
        }

        ushort output = unchecked((ushort)(sequenceNumber + _sequenceOffset));
        if ((short)(output - _highestSequenceNumber) > 0)
        {
            _highestSequenceNumber = output;
            // Keep the retransmittable range under half the number space, so the unsigned
            // distances in CanRetransmit stay meaningful; no buffer holds that much anyway.
            if (unchecked((ushort)(output - _firstSequenceNumberSinceResume)) > RetransmitSpan)
            {
                _firstSequenceNumberSinceResume = unchecked((ushort)(output - RetransmitSpan));
            }
        }

        return new ForwardDecision(
            ForwardAction.Forward,
            output,
            unchecked(timestamp + _timestampOffset),
            pt,
            RequestKeyframe: false);
    }
}
