namespace Sfu.Core.Routing;

/// <summary>
/// Per-subscriber sequence and timestamp translation of one forwarded stream. The subscriber
/// sees its own random starting sequence number and timestamp (RFC 3550 §5.1 asks for random
/// initial values), and video starts on a keyframe so its decoder never begins mid-GOP.
/// Pure: no I/O, no clock, so every rule is covered by table tests.
/// </summary>
public struct Forwarder
{
    private readonly ushort _initialSequenceNumber;
    private readonly uint _initialTimestamp;
    private ushort _sequenceOffset;
    private uint _timestampOffset;

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
            Started = true;
        }

        return new ForwardDecision(
            ForwardAction.Forward,
            unchecked((ushort)(sequenceNumber + _sequenceOffset)),
            unchecked(timestamp + _timestampOffset),
            pt,
            RequestKeyframe: false);
    }
}
