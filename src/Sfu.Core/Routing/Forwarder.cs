using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// Decides, per packet, what one subscriber gets of a producer's stream: video starts on a
/// keyframe so its decoder never begins mid-GOP; after a pause (<see cref="Resume"/>) video
/// waits for a keyframe again and numbering goes on from the last packet sent, so the
/// subscriber sees a quiet stretch rather than hundreds of lost packets to NACK, while
/// timestamps keep their offset and so show the time that passed, as RTP timestamps should.
/// A packet in a codec the subscriber did not negotiate is skipped without leaving a gap.
/// The numbers come from the send stream's <see cref="SequenceTranslator"/>; the decision is
/// a value the down-track applies (decide, then apply). No I/O, no clock: table-tested.
/// </summary>
public sealed class Forwarder(bool isVideo, SequenceTranslator translator)
{
    /// <summary>The source id of a producer's single stream (simulcast layers will add more).</summary>
    public const int PrimarySource = 0;

    private bool _resuming;

    public bool IsVideo { get; } = isVideo;

    public bool Started => translator.Started;

    /// <summary>
    /// Forwarding goes on after a gap the subscriber chose (a paused track): the next packet
    /// forwarded, a keyframe for video, gets the number after the last one sent.
    /// </summary>
    public void Resume()
    {
        if (translator.Started)
        {
            _resuming = true;
        }
    }

    /// <param name="payloadType">The subscriber's payload type for the packet's codec, or null when it has none.</param>
    public ForwardDecision Decide(ushort sequenceNumber, uint timestamp, byte? payloadType, bool isKeyframe)
    {
        if (payloadType is not byte pt)
        {
            translator.Skip(sequenceNumber);
            return ForwardDecision.Drop(ForwardAction.DropUnsupportedCodec);
        }

        if (!translator.Started || _resuming)
        {
            if (IsVideo && !isKeyframe)
            {
                return ForwardDecision.Drop(ForwardAction.DropWaitingForKeyframe, requestKeyframe: true);
            }

            if (!translator.Started)
            {
                translator.Start(PrimarySource, sequenceNumber, timestamp);
            }
            else
            {
                translator.Rebase(PrimarySource, sequenceNumber, timestamp, unchecked(timestamp + translator.TimestampOffset));
            }

            _resuming = false;
        }

        return translator.TryTranslate(sequenceNumber, timestamp, out ushort outputSequenceNumber, out uint outputTimestamp)
            ? new ForwardDecision(ForwardAction.Forward, outputSequenceNumber, outputTimestamp, pt, RequestKeyframe: false)
            : ForwardDecision.Drop(ForwardAction.DropOlderThanResume);
    }
}
