using Sfu.Core.Feedback;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core;

/// <summary>
/// Tracks published on other nodes of a cluster, entering this node's rooms; their packets fan
/// out on the relay's receive thread, which batches its sends on the media port as a media thread does.
/// </summary>
public sealed partial class SfuEngine : ISendBatching
{
    /// <summary>A send batch on the media port for the calling thread; null before the engine starts or where sends are not batched.</summary>
    public IDisposable? BatchSendsOnThisThread() => _port?.BatchSendsOnThisThread();

    /// <summary>Sends what the calling thread queued on the media port.</summary>
    public void FlushSends() => _port?.FlushSends();

    /// <summary>The SSRC the keyframe requests this node sends upstream over a relay come from.</summary>
    private readonly uint _relayRtcpSsrc = (uint)Random.Shared.Next(2, int.MaxValue);

    /// <summary>
    /// A track that <paramref name="participantId"/> publishes on node <paramref name="nodeId"/>
    /// enters <paramref name="room"/>: every member here subscribes to it (a server offer
    /// follows), and its packets come through <see cref="Producer.OnRelayed"/>. Each layer's
    /// stream keeps a retransmission buffer like a local publisher's, so NACKs are answered here;
    /// what never arrived here, and what a subscriber here asks for that the buffer no longer
    /// holds, is NACKed to <paramref name="upstream"/>, whose answers come on each layer's
    /// retransmission SSRC (RFC 4588) that the listing names; keyframe requests go to <paramref name="upstream"/> (the relay link to that node) as PLI
    /// on that layer's SSRC, throttled here as for a local publisher. A simulcast track arrives
    /// with all its rids, so subscribers here pick layers as they do from a local publisher.
    /// </summary>
    public Producer PublishRemote(Room room, string nodeId, string participantId, PublishedTrack track, IRtcpSender upstream)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(track);
        if (!track.IsRelayable)
        {
            throw new ArgumentException("A relayed track is one stream on a known SSRC, or simulcast layers with one SSRC each.", nameof(track));
        }

        return room.PublishRemote(nodeId, participantId, track, Time, producer =>
        {
            producer.SetUpstream(upstream, _relayRtcpSsrc);
            BindRemoteLayers(producer, track, upstream);
        });
    }

    /// <summary>
    /// Binds the layers of remote <paramref name="producer"/> whose SSRCs <paramref name="track"/>
    /// (its node's current listing) names and that are not bound yet: a simulcast layer its node
    /// learnt after the track was first listed. A bound layer keeps its stream.
    /// </summary>
    public void BindRemoteLayers(Producer producer, PublishedTrack track, IRtcpSender upstream)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(track);
        if (!producer.IsRemote)
        {
            throw new ArgumentException("Only a remote producer's layers come from a listing.", nameof(producer));
        }

        foreach (ProducerLayer layer in producer.Layers)
        {
            uint ssrc = track.LayerSsrc(layer.Index);
            uint rtxSsrc = track.LayerRtxSsrc(layer.Index);
            if (ssrc != 0 && layer.Stream is null)
            {
                layer.Bind(
                    new RtpReceiveStream(track.StreamParameters(ssrc, rtxSsrc == 0 ? null : rtxSsrc), Time, _services.Retransmissions),
                    new KeyframeRequester(upstream, _relayRtcpSsrc, ssrc, Counters, Time));
            }
        }
    }

    /// <summary>A relayed track ended at its node, or its node is gone: its subscribers here lose it (a server offer follows).</summary>
    public static void UnpublishRemote(Producer producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        producer.Owner.Room.UnpublishRemote(producer);
    }
}
