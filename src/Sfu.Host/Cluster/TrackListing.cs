using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// The tracks published here that the peers may follow: each one in a room that spans nodes is
/// listed in Redis (<see cref="RedisTrackRegistry"/>), a simulcast track with every layer's rid
/// and learnt SSRC, and its layers are what keyframe requests, NACKs and interest from the
/// peers name by SSRC.
/// </summary>
internal sealed class TrackListing(RedisTrackRegistry tracks)
{
    private volatile Dictionary<uint, ProducerLayer> _layers = [];

    /// <summary>The layers this node relays, by SSRC, for keyframe requests arriving from peers; swapped whole.</summary>
    public Dictionary<uint, ProducerLayer> Layers => _layers;

    /// <summary>Lists in Redis the tracks published here in rooms that span nodes; they are what the peers subscribe to.</summary>
    public async Task PublishAsync(string self, Dictionary<Room, IReadOnlyDictionary<string, int>> roomNodes)
    {
        var listed = new List<RelayedTrack>();
        var relayed = new Dictionary<uint, ProducerLayer>();
        foreach ((Room room, IReadOnlyDictionary<string, int> nodes) in roomNodes)
        {
            if (!nodes.Keys.Any(id => id != self))
            {
                continue;
            }

            foreach (Participant participant in room.Participants)
            {
                foreach (Producer producer in participant.Producers)
                {
                    if (!producer.IsClosed && Listing(producer) is { } track)
                    {
                        listed.Add(new RelayedTrack(room.Name, participant.Id, track));
                        foreach (ProducerLayer layer in producer.Layers)
                        {
                            if (layer.Stream is { } stream)
                            {
                                relayed[stream.Ssrc] = layer;
                            }
                        }
                    }
                }
            }
        }

        _layers = relayed;
        await tracks.PublishAsync(self, listed).ConfigureAwait(false);
    }

    /// <summary>
    /// What the peers read of a track published here: its SSRC, or a simulcast track's rids with
    /// the SSRC this node learnt for each (0 until its first packet; the listing grows as layers
    /// arrive). Packets a peer asks for again cross as RFC 4588 retransmissions, on the SSRC this
    /// node chose for each video layer (<see cref="ProducerLayer.RelayRtxSsrc"/>) and the codec's
    /// RTX payload type (<see cref="Producer.RelayRtxPayloadType"/>), both listed here.
    /// Null while no SSRC is known.
    /// </summary>
    private static PublishedTrack? Listing(Producer producer)
    {
        bool video = producer.Kind == MediaKind.Video;
        CodecDescription codec = video ? producer.Codec with { RtxPayloadType = producer.RelayRtxPayloadType } : producer.Codec;
        if (!producer.IsSimulcast)
        {
            uint rtx = producer.Layers[0].RelayRtxSsrc;
            return producer.Ssrc == 0 ? null
                : new PublishedTrack(producer.Mid, producer.Kind, producer.Ssrc, rtx == 0 ? null : rtx, producer.TrackId, codec, producer.Extensions);
        }

        uint[] ssrcs = [.. producer.Layers.Select(l => l.Stream?.Ssrc ?? 0)];
        return ssrcs.All(ssrc => ssrc == 0) ? null
            : new PublishedTrack(
                producer.Mid, producer.Kind, 0, null, producer.TrackId, codec, producer.Extensions, [.. producer.Layers.Select(l => l.Rid!)], ssrcs,
                video ? [.. producer.Layers.Select(l => l.RelayRtxSsrc)] : null);
    }
}
