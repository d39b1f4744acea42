using System.Collections.Immutable;
using Sfu.Core.Feedback;
using Sfu.Core.Relay;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// A producer across the cluster relay: a remote one takes packets, sender reports and resends
/// from its origin node and asks that node for what went missing; a local one sends each layer
/// to the nodes that want it and answers their NACKs from its buffer.
/// </summary>
public sealed partial class Producer
{
    /// <summary>
    /// One packet of a track published on another node, as the relay link from that node
    /// delivered it (authenticated and decrypted, the publisher's SSRC, numbering, timestamps and
    /// payload type untouched). It enters the room as a local publisher's packet would: into the
    /// receive stream of the layer its SSRC names (so NACKs from subscribers here are answered
    /// from this node's own buffer), then to every down-track, under the room's media gate.
    /// Relay receive thread.
    /// </summary>
    /// <returns>False when the packet is not this track's (no layer on its SSRC, unparsable) or the track ended.</returns>
    public bool OnRelayed(ReadOnlySpan<byte> packet, long now, Span<byte> scratch)
    {
        if (!_isRemote || _closed || RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok
            || LayerOf(view.Ssrc) is not { } layer)
        {
            return false;
        }

        lock (Owner.Room.MediaGate)
        {
            OnPacket(layer, packet, view, now, scratch);
            if (_upstream is { } upstream && NackRequester.SendDue(layer.Stream!, upstream, _upstreamSsrc, now))
            {
                Interlocked.Increment(ref _relayNacksSent);
            }
        }

        return true;
    }

    /// <summary>
    /// NACKs this node sent to the track's node for relayed packets that never arrived here
    /// (a remote track only): what this node's buffer cannot give its subscribers is asked for
    /// where the track comes from, hop by hop, as this node asks a local publisher.
    /// </summary>
    public long RelayNacksSent => Interlocked.Read(ref _relayNacksSent);

    /// <summary>
    /// This node starts wanting layer <paramref name="index"/> of a remote track again: the
    /// packets its node did not send meanwhile are not loss to ask for. Any thread.
    /// </summary>
    public void OnRelayResumed(int index)
    {
        if (!_isRemote || (uint)index >= (uint)Layers.Length)
        {
            return;
        }

        lock (Owner.Room.MediaGate)
        {
            Layers[index].Stream?.Nacks?.Restart();
        }
    }

    /// <summary>
    /// A remote node's NACK for packets of one of this track's layers it never got: answered
    /// from this node's buffer over <paramref name="link"/> only, as the packets were first sent,
    /// and only when that node receives the layer. At most <see cref="NackResponder.MaxResendsPerNack"/>
    /// packets per NACK. Relay receive thread.
    /// </summary>
    /// <returns>The packets resent.</returns>
    public int ResendOverRelay(RelayLink link, GenericNack nack, Span<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (_isRemote || _closed || LayerOf(nack.MediaSsrc) is not { } layer || !layer.RelayTargets.Contains(link))
        {
            return 0;
        }

        int resent = 0;
        lock (Owner.Room.MediaGate)
        {
            if (layer.Stream?.Retransmissions is not { } buffer)
            {
                return 0;
            }

            foreach (ushort sequenceNumber in nack.LostSequenceNumbers)
            {
                if (resent == NackResponder.MaxResendsPerNack)
                {
                    break;
                }

                if (buffer.TryGet(sequenceNumber, out ReadOnlySpan<byte> packet) && layer.RelayTo(link, packet, scratch))
                {
                    resent++;
                }
            }
        }

        return resent;
    }

    /// <summary>
    /// The nodes that want layer <paramref name="index"/> of this track (published here) now:
    /// its packets go to exactly these. When the layer goes from wanted somewhere to wanted
    /// nowhere or back, dynacast looks again, so a layer only other nodes watch is not paused at
    /// the publisher. Any thread.
    /// </summary>
    public void SetRelayTargets(int index, ImmutableArray<RelayLink> links)
    {
        if (_isRemote || (uint)index >= (uint)Layers.Length)
        {
            return;
        }

        ProducerLayer layer = Layers[index];
        bool wasWanted = !layer.RelayTargets.IsEmpty;
        layer.RelayTargets = links;
        if (wasWanted != !links.IsEmpty)
        {
            UpdateDemand();
        }
    }

    /// <summary>Keyframe requests and NACKs of a remote track go to <paramref name="upstream"/>, from <paramref name="ssrc"/>.</summary>
    internal void SetUpstream(IRtcpSender upstream, uint ssrc)
    {
        _upstreamSsrc = ssrc;
        Volatile.Write(ref _upstream, upstream);
    }

    /// <summary>
    /// A sender report the publisher sent its node on one of this track's SSRCs, relayed from
    /// there: it times the reports this node writes to the layer's subscribers. Relay receive thread.
    /// </summary>
    public void OnRelayedSenderReport(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, long now)
    {
        if (!_isRemote || _closed || LayerOf(ssrc)?.Stream is not { } stream)
        {
            return;
        }

        lock (Owner.Room.MediaGate)
        {
            stream.OnSenderReport(ntpTimestamp, rtpTimestamp, now);
        }
    }

    /// <summary>The layer whose stream is on <paramref name="ssrc"/>, null when none is (yet).</summary>
    private ProducerLayer? LayerOf(uint ssrc)
    {
        foreach (ProducerLayer layer in Layers)
        {
            if (layer.Stream?.Ssrc == ssrc)
            {
                return layer;
            }
        }

        return null;
    }

    /// <summary>
    /// Sends the packet as received (a simulcast layer's on that layer's SSRC), once to each node
    /// whose subscribers want this layer, and to no other; each node rewrites it for its own
    /// subscribers. The down-tracks are done with <paramref name="scratch"/> by now, and each
    /// link protects its copy in place there.
    /// </summary>
    private static void Relay(ProducerLayer layer, ReadOnlySpan<byte> packet, Span<byte> scratch)
    {
        ImmutableArray<RelayLink> links = layer.RelayTargets;
        foreach (RelayLink link in links)
        {
            _ = layer.RelayTo(link, packet, scratch);
        }
    }
}
