using System.Collections.Immutable;
using Sfu.Core.Relay;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// The peers' side of interest: what each peer said (<see cref="RelayInterest"/>) it wants of
/// the tracks published here becomes each layer's <see cref="ProducerLayer.RelayTargets"/>, so a
/// layer goes to exactly the links whose node wants it, and the layer's dynacast counts it as
/// wanted while any does.
/// </summary>
internal sealed class RelayTargeting(RelayPeers peers, TrackListing listing)
{
    /// <summary>Held while the peers' interest is updated and turned into the layers' relay targets.</summary>
    private readonly Lock _gate = new();

    /// <summary>The layers whose relay targets were last set, by SSRC (under <see cref="_gate"/>).</summary>
    private Dictionary<uint, ProducerLayer> _targeted = [];

    /// <summary>Every layer relayed from here goes to the links of its room whose node wants it, and nowhere else. Beat.</summary>
    public void RetargetAll()
    {
        lock (_gate)
        {
            Dictionary<uint, ProducerLayer> relayed = listing.Layers;
            foreach ((uint ssrc, ProducerLayer layer) in _targeted)
            {
                if (!relayed.TryGetValue(ssrc, out ProducerLayer? still) || still != layer)
                {
                    layer.Owner.SetRelayTargets(layer.Index, []);
                }
            }

            foreach ((uint ssrc, ProducerLayer layer) in relayed)
            {
                Retarget(ssrc, layer);
            }

            _targeted = relayed;
        }
    }

    /// <summary>A peer said which layers of the tracks published here its subscribers want. Relay receive thread.</summary>
    public void OnInterest(RelayLink link, RelayInterest interest)
    {
        if (!peers.TryGetCurrent(link, out RelayPeer? peer))
        {
            return;
        }

        lock (_gate)
        {
            Dictionary<uint, ProducerLayer> targeted = _targeted;
            for (int i = 0; i < interest.Count; i++)
            {
                (uint ssrc, bool wanted) = interest[i];
                bool changed = wanted ? peer.Wants.Add(ssrc) : peer.Wants.Remove(ssrc);
                if (changed && targeted.TryGetValue(ssrc, out ProducerLayer? layer))
                {
                    Retarget(ssrc, layer);
                }
            }
        }
    }

    /// <summary>The links of the layer's room whose node said it wants <paramref name="ssrc"/>. Under <see cref="_gate"/>.</summary>
    private void Retarget(uint ssrc, ProducerLayer layer)
    {
        ImmutableArray<RelayLink>.Builder targets = ImmutableArray.CreateBuilder<RelayLink>();
        if (!layer.Owner.IsClosed)
        {
            foreach (RelayLink link in layer.Owner.Owner.Room.RelayLinks)
            {
                if (peers.TryGetCurrent(link, out RelayPeer? peer) && peer.Wants.Contains(ssrc))
                {
                    targets.Add(link);
                }
            }
        }

        if (!layer.RelayTargets.SequenceEqual(targets))
        {
            layer.Owner.SetRelayTargets(layer.Index, targets.ToImmutable());
        }
    }
}
