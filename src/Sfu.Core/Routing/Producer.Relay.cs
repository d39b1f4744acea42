using System.Collections.Immutable;
using Sfu.Core.Feedback;
using Sfu.Core.Relay;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

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
    /// from this node's own buffer), then to every down-track, under the room's media gate. A
    /// packet on a layer's retransmission SSRC is the track's node answering a NACK of ours
    /// (<see cref="OnRelayedRetransmission"/>). Relay receive thread.
    /// </summary>
    /// <returns>False when the packet is not this track's (no layer on its SSRC, unparsable, not a retransmission) or the track ended.</returns>
    public bool OnRelayed(ReadOnlySpan<byte> packet, long now, Span<byte> scratch)
    {
        if (!_isRemote || _closed || RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            return false;
        }

        ProducerLayer? layer = LayerOf(view.Ssrc);
        bool retransmission = layer is null && (layer = LayerOfRetransmissions(view.Ssrc)) is not null;
        if (layer is null)
        {
            return false;
        }

        lock (Owner.Room.MediaGate)
        {
            if (retransmission)
            {
                if (!OnRelayedRetransmission(layer, view, now, scratch))
                {
                    return false;
                }
            }
            else
            {
                OnPacket(layer, packet, view, now, scratch);
            }

            if (_upstream is { } upstream)
            {
                AskUpstream(layer, upstream, now);
            }
        }

        return true;
    }

    /// <summary>
    /// The track's node answered a NACK of ours on the layer's retransmission SSRC (RFC 4588):
    /// a packet this node never got (lost on the relay) goes into its buffer and to every
    /// subscriber as a late original would; one this node has (a subscriber here missed it and
    /// this node's buffer no longer held it) goes only to the subscribers that asked for it
    /// (<see cref="ForwardedNacks"/>), rewritten as their first copy was. False for a malformed one.
    /// </summary>
    private bool OnRelayedRetransmission(ProducerLayer layer, in RtpPacket rtx, long now, Span<byte> scratch)
    {
        RepairOutcome outcome = layer.Stream!.TryRepair(rtx, out Span<byte> restored);
        if (outcome == RepairOutcome.NotWanted)
        {
            return true;
        }

        if (outcome == RepairOutcome.Malformed || RtpPacket.TryParse(restored, out RtpPacket original) != RtpParseResult.Ok)
        {
            return false;
        }

        if (outcome == RepairOutcome.Restored)
        {
            layer.ForwardedNacks?.Forget(original.SequenceNumber);
            Interlocked.Increment(ref _relayRepairs);
            OnRepaired(layer, restored, original, now, scratch);
        }
        else if (outcome == RepairOutcome.Known && layer.ForwardedNacks is { Count: > 0 } forwarded)
        {
            Interlocked.Add(ref _forwardedResends, forwarded.Answer(original.SequenceNumber, restored, original.Timestamp, scratch));
        }

        return true;
    }

    /// <summary>
    /// NACKs the track's node for what never arrived here (relay loss) and for what subscribers
    /// here asked for that this node's buffer did not hold (<see cref="ForwardedNacks"/>). Media path.
    /// </summary>
    private void AskUpstream(ProducerLayer layer, IRtcpSender upstream, long now)
    {
        RtpReceiveStream stream = layer.Stream!;
        if (NackRequester.SendDue(stream, upstream, _upstreamSsrc, now))
        {
            Interlocked.Increment(ref _relayNacksSent);
        }

        if (layer.ForwardedNacks is { Count: > 0 } forwarded && stream.Nacks is { } nacks)
        {
            Interlocked.Add(ref _nacksForwarded, forwarded.SendDue(upstream, _upstreamSsrc, stream.Ssrc, nacks.RetryInterval, now));
        }
    }

    /// <summary>
    /// NACKs this node sent to the track's node for relayed packets that never arrived here
    /// (a remote track only): what this node's buffer cannot give its subscribers is asked for
    /// where the track comes from, hop by hop, as this node asks a local publisher.
    /// </summary>
    public long RelayNacksSent => Interlocked.Read(ref _relayNacksSent);

    /// <summary>Relayed packets lost on the way here and restored from the track's node's retransmission (a remote track only).</summary>
    public long RelayRepairs => Interlocked.Read(ref _relayRepairs);

    /// <summary>
    /// Sequence numbers of a remote track that subscribers here NACKed and this node's buffer did
    /// not hold, asked of the track's node (<see cref="ForwardedNacks"/>).
    /// </summary>
    public long NacksForwarded => Interlocked.Read(ref _nacksForwarded);

    /// <summary>Resends to subscribers here of packets the track's node sent in answer to <see cref="NacksForwarded"/>.</summary>
    public long ForwardedResends => Interlocked.Read(ref _forwardedResends);

    /// <summary>
    /// The payload type of this track's retransmissions over the relay (RFC 4588 §4): the
    /// publisher's RTX pairing when it negotiated one, else the first dynamic payload type
    /// (RFC 3551 §6) that is not the codec's. A receiving node knows them by SSRC.
    /// </summary>
    public byte RelayRtxPayloadType => Codec.RtxPayloadType ?? (byte)(Codec.PayloadType == 96 ? 97 : 96);

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
    /// A remote node's NACK for packets of one of this track's layers — lost on the relay, or
    /// missed by a subscriber there whose node no longer holds them: answered from this node's
    /// buffer over <paramref name="link"/> only, as retransmissions on the layer's
    /// <see cref="ProducerLayer.RelayRtxSsrc"/> (<see cref="ProducerLayer.RelayRetransmissionTo"/>),
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

                if (buffer.TryGet(sequenceNumber, out ReadOnlySpan<byte> packet) && layer.RelayRetransmissionTo(link, packet, RelayRtxPayloadType, scratch))
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

    /// <summary>The layer whose retransmissions come on <paramref name="ssrc"/>, null when none does.</summary>
    private ProducerLayer? LayerOfRetransmissions(uint ssrc)
    {
        foreach (ProducerLayer layer in Layers)
        {
            if (layer.Stream?.RtxSsrc == ssrc)
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
