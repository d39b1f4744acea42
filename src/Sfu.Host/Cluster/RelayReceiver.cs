using System.Buffers.Binary;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Relay;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;

namespace Sfu.Host.Cluster;

/// <summary>
/// What arrives over this node's links, authenticated and decrypted by each link: media of the
/// tracks it follows on the peers, for their remote producers, and RTCP from the peers —
/// feedback on the tracks published here, the peers' <see cref="RelayInterest"/>, and sender
/// reports of their tracks. Relay receive thread.
/// </summary>
internal sealed class RelayReceiver(SfuEngine engine, RelayPeers peers, TrackListing listing, RelayTargeting targeting) : IRelaySink
{
    /// <summary>Where the relay receive thread writes each subscriber's copy of a relayed packet.</summary>
    private readonly byte[] _scratch = GC.AllocateUninitializedArray<byte>(UdpMediaPort.ReceiveBufferSize + 64);

    private long _resends;

    /// <summary>Packets of tracks published here sent again (as RTX) over a link because the node there asked (NACK).</summary>
    public long Resends => Interlocked.Read(ref _resends);

    /// <summary>
    /// A packet of a track published on the peer node (authenticated and decrypted by the link):
    /// to its remote producer by SSRC (one per simulcast layer, and one per video layer for the
    /// peer's retransmissions). Packets of a track this node does not follow yet (the peer
    /// starts relaying a beat before this node reads its listing) are dropped. Relay receive thread.
    /// </summary>
    void IRelaySink.OnRtp(RelayLink link, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < RtpPacket.FixedHeaderLength
            || !peers.TryGetCurrent(link, out RelayPeer? peer)
            || !peer.Relayed.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(packet[8..]), out Producer? producer)
            || !producer.OnRelayed(packet, engine.Time.GetTimestamp(), _scratch))
        {
            engine.Counters.Dropped(DropReason.UnknownSsrc);
        }
    }

    /// <summary>
    /// Feedback from the peer on tracks published here: PLI (RFC 4585 §6.3.1) and FIR
    /// (RFC 5104 §4.3.1) ask the publisher for a keyframe through the track's own throttle; a
    /// generic NACK (RFC 4585 §6.2.1) names packets that never reached the peer or that a
    /// subscriber there missed, resent (as RTX) from this node's buffer to that peer alone; <see cref="RelayInterest"/> says which layers the
    /// peer wants. And the sender reports of tracks published on the peer, for the remote
    /// producers they describe.
    /// </summary>
    void IRelaySink.OnRtcp(RelayLink link, ReadOnlySpan<byte> compound)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            engine.Counters.Dropped(DropReason.Malformed);
            return;
        }

        Dictionary<uint, ProducerLayer> relayed = listing.Layers;
        foreach (RtcpPacket packet in reader)
        {
            if (packet.Header.PacketType == RtcpPacketType.SenderReport)
            {
                OnSenderReport(link, packet);
                continue;
            }

            if (packet.Header.PacketType == RtcpPacketType.ApplicationDefined)
            {
                if (RelayInterest.TryParse(packet.Data, out RelayInterest interest))
                {
                    targeting.OnInterest(link, interest);
                }

                continue;
            }

            if (packet.Header.PacketType == RtcpPacketType.TransportFeedback)
            {
                if (packet.Header.Format == GenericNack.Format && GenericNack.TryParse(packet.Data, out GenericNack nack)
                    && relayed.TryGetValue(nack.MediaSsrc, out ProducerLayer? layer)
                    && peers.TryGetCurrent(link, out _))
                {
                    Interlocked.Add(ref _resends, layer.Owner.ResendOverRelay(link, nack, _scratch));
                }

                continue;
            }

            if (packet.Header.PacketType != RtcpPacketType.PayloadFeedback)
            {
                continue;
            }

            if (PictureLossIndication.TryParse(packet.Data, out PictureLossIndication pli))
            {
                RequestKeyframe(relayed, pli.MediaSsrc);
            }
            else if (FullIntraRequest.TryParse(packet.Data, out FullIntraRequest fir))
            {
                for (int i = 0; i < fir.EntryCount; i++)
                {
                    RequestKeyframe(relayed, fir.GetEntry(i).Ssrc);
                }
            }
        }
    }

    private void OnSenderReport(RelayLink link, in RtcpPacket packet)
    {
        if (SenderReport.TryParse(packet.Data, out SenderReport report)
            && peers.TryGetCurrent(link, out RelayPeer? peer)
            && peer.Relayed.TryGetValue(report.Ssrc, out Producer? producer))
        {
            producer.OnRelayedSenderReport(report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, engine.Time.GetTimestamp());
        }
    }

    /// <summary>A keyframe of the layer on <paramref name="ssrc"/>: a subscriber there switched to it or lost it.</summary>
    private static void RequestKeyframe(Dictionary<uint, ProducerLayer> relayed, uint ssrc)
    {
        if (relayed.TryGetValue(ssrc, out ProducerLayer? layer))
        {
            _ = layer.RequestKeyframe(DownTrack.KeyframeRequestInterval, KeyframeRequestReason.SubscriberRequest);
        }
    }
}
