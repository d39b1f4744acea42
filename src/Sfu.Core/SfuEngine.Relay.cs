using Sfu.Core.Feedback;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core;

/// <summary>Tracks published on other nodes of a cluster, entering this node's rooms.</summary>
public sealed partial class SfuEngine
{
    /// <summary>The SSRC the keyframe requests this node sends upstream over a relay come from.</summary>
    private readonly uint _relayRtcpSsrc = (uint)Random.Shared.Next(2, int.MaxValue);

    /// <summary>
    /// A track that <paramref name="participantId"/> publishes on node <paramref name="nodeId"/>
    /// enters <paramref name="room"/>: every member here subscribes to it (a server offer
    /// follows), and its packets come through <see cref="Producer.OnRelayed"/>. Its stream keeps
    /// a retransmission buffer like a local publisher's, so NACKs are answered here; keyframe
    /// requests go to <paramref name="upstream"/> (the relay link to that node) as PLI on the
    /// publisher's SSRC, throttled here as for a local publisher. One stream, no simulcast.
    /// </summary>
    public Producer PublishRemote(Room room, string nodeId, string participantId, PublishedTrack track, IRtcpSender upstream)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(track);
        if (track.IsSimulcast || track.Ssrc == 0)
        {
            throw new ArgumentException("A relayed track is one stream on a known SSRC.", nameof(track));
        }

        return room.PublishRemote(nodeId, participantId, track, Time, producer => producer.Layers[0].Bind(
            new RtpReceiveStream(track.StreamParameters(track.Ssrc, null), Time, _services.Retransmissions),
            new KeyframeRequester(upstream, _relayRtcpSsrc, track.Ssrc, Counters, Time)));
    }

    /// <summary>A relayed track ended at its node, or its node is gone: its subscribers here lose it (a server offer follows).</summary>
    public static void UnpublishRemote(Producer producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        producer.Owner.Room.UnpublishRemote(producer);
    }
}
