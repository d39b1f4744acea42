using System.Numerics;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// Decides, per packet, what one subscriber gets of a producer's layers, and when it moves
/// between them:
/// <list type="bullet">
/// <item>Video starts on a keyframe of the target layer, so the decoder never begins mid-GOP.</item>
/// <item>A switch happens only at a keyframe: up to the target layer at its keyframe; down at
/// the keyframe of any layer between the target and the current one that comes first; and
/// when the current layer stalls, to a live layer no higher than the target.</item>
/// <item>After a pause (<see cref="Resume"/>) video waits for a keyframe again and numbering goes on
/// from the last packet sent, so the subscriber sees a quiet stretch, not hundreds of lost packets.</item>
/// <item>A packet in a codec the subscriber did not negotiate is skipped without leaving a gap.</item>
/// </list>
/// The target is "the highest live layer not above the wanted one" (a layer the publisher stops
/// sending is no target), a few comparisons per packet. A switch or a restart is returned as
/// <see cref="ForwardAction.Rebase"/> for the caller to choose the output timestamp (it knows
/// the clocks) and <see cref="Rebase"/>; everything else is decided here and applied by the
/// caller (decide, then apply). No I/O, no clock: table-tested.
/// </summary>
public sealed class Forwarder(bool isVideo, SequenceTranslator translator, int layerCount = 1)
{
    private const int None = -1;

    private int _wanted = layerCount - 1;
    private bool _resuming;

    public bool IsVideo { get; } = isVideo;

    public bool Started => translator.Started;

    /// <summary>The layer being forwarded, -1 before the start.</summary>
    public int CurrentLayer => translator.Started ? translator.CurrentSource : None;

    /// <summary>The layer the subscriber should get when every layer arrives.</summary>
    public int WantedLayer => _wanted;

    public void SetWantedLayer(int layer) => _wanted = Math.Clamp(layer, 0, layerCount - 1);

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

    /// <summary>The layer to aim for now: the highest live one not above the wanted one, else the lowest live one.</summary>
    public int Target(uint liveLayers)
    {
        uint notAbove = liveLayers & ((2u << _wanted) - 1);
        if (notAbove != 0)
        {
            return 31 - BitOperations.LeadingZeroCount(notAbove);
        }

        return liveLayers == 0 ? _wanted : BitOperations.TrailingZeroCount(liveLayers);
    }

    /// <param name="layer">The layer the packet belongs to.</param>
    /// <param name="payloadType">The subscriber's payload type for the packet's codec, or null when it has none.</param>
    /// <param name="liveLayers">Bit i set when layer i arrives (see <see cref="ProducerLayer.IsLive"/>).</param>
    public ForwardDecision Decide(int layer, ushort sequenceNumber, uint timestamp, byte? payloadType, bool isKeyframe, uint liveLayers = 1)
    {
        int current = CurrentLayer;
        if (payloadType is not byte pt)
        {
            if (layer == current)
            {
                translator.Skip(sequenceNumber);
            }

            return ForwardDecision.Drop(ForwardAction.DropUnsupportedCodec);
        }

        int target = Target(liveLayers);
        if (current == None || _resuming)
        {
            if (IsVideo && !isKeyframe)
            {
                return ForwardDecision.Drop(ForwardAction.DropWaitingForKeyframe, requestKeyframe: true, layer: target);
            }

            // Start on the target itself: when it arrives, a lower layer's keyframe would only be
            // a second keyframe to decode a moment later.
            return layer == target || !IsVideo || liveLayers == 0
                ? ForwardDecision.RebaseTo(layer, pt)
                : ForwardDecision.Drop(ForwardAction.DropOtherLayer);
        }

        if (layer != current)
        {
            bool currentStalled = (liveLayers & (1u << current)) == 0;
            bool switchTo = isKeyframe
                && ((layer == target && layer > current)
                    || (layer < current && layer >= target)
                    || (currentStalled && layer <= target));
            if (switchTo)
            {
                return ForwardDecision.RebaseTo(layer, pt);
            }

            // The target arrives but not from a keyframe: ask for one (throttled per layer), so a
            // switch does not wait for the publisher's next scheduled keyframe.
            return ForwardDecision.Drop(ForwardAction.DropOtherLayer, requestKeyframe: layer == target, layer: target);
        }

        if (!translator.TryTranslate(sequenceNumber, timestamp, out ushort outputSequenceNumber, out uint outputTimestamp))
        {
            return ForwardDecision.Drop(ForwardAction.DropOlderThanResume);
        }

        return new ForwardDecision(ForwardAction.Forward, outputSequenceNumber, outputTimestamp, pt, RequestKeyframe: target != current, Layer: target);
    }

    /// <summary>
    /// Applies a <see cref="ForwardAction.Rebase"/>: the packet starts (or restarts) forwarding on
    /// <paramref name="layer"/>, numbered after the last packet sent and stamped
    /// <paramref name="outputTimestamp"/> (the first packet ever gets the initial values).
    /// </summary>
    public ForwardDecision Rebase(int layer, ushort sequenceNumber, uint timestamp, uint outputTimestamp, byte payloadType)
    {
        if (!translator.Started)
        {
            translator.Start(layer, sequenceNumber, timestamp);
        }
        else
        {
            translator.Rebase(layer, sequenceNumber, timestamp, outputTimestamp);
        }

        _resuming = false;
        translator.TryTranslate(sequenceNumber, timestamp, out ushort outputSequenceNumber, out uint translated);
        return new ForwardDecision(ForwardAction.Forward, outputSequenceNumber, translated, payloadType, RequestKeyframe: false, Layer: layer);
    }
}
