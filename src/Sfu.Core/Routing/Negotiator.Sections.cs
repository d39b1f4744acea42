using Microsoft.Extensions.Logging;
using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>
/// One m-section at a time: what an offered section publishes, what an answered one subscribes,
/// what our offer writes for a slot, which codec each answered section keeps, and what a
/// rejected section is logged as.
/// </summary>
internal sealed partial class Negotiator
{
    /// <summary>
    /// Leaves one media codec (and its RTX) in an answered section. A section that carries a
    /// track we forward keeps that track's codec, and one that already publishes keeps the codec
    /// it was published with, whatever order the participant's re-offer lists its codecs in: the
    /// answer must describe what is actually sent there. Any other section gets the room's
    /// choice (<see cref="RoomCodecChoice"/>).
    /// </summary>
    private void KeepCodecs(MediaDescription answered)
    {
        MediaSlot? slot = answered.Mid is string mid ? _slots.Find(mid) : null;
        if (slot is { DownTrack: DownTrack downTrack } && downTrack.Mid == slot.Mid
            && SectionPolicy.KeepCodecFor(answered, downTrack.Source.Codec))
        {
            return;
        }

        if (slot is { Producer: Producer producer } && SectionPolicy.KeepCodecFor(answered, producer.Codec))
        {
            return;
        }

        if (!answered.IsRejected)
        {
            RtpCodec? chosen = RoomCodecChoice.Choose([.. answered.Codecs], OthersOffered(answered.Kind));
            if (chosen is not null)
            {
                answered.Codecs.Remove(chosen);
                answered.Codecs.Insert(0, chosen);
            }
        }

        SectionPolicy.KeepOnePrimaryCodec(answered);
    }

    /// <summary>What the participant's own offers listed of <paramref name="kind"/>; read by other participants' negotiations without this one's lock.</summary>
    public IReadOnlyList<RtpCodec> OfferedCodecs(MediaKind kind) => _payloadTypes.Offered(kind);

    /// <summary>The codecs of <paramref name="kind"/> each other member of the room offered. Lock-free: the room's member list and each member's list are replaced whole.</summary>
    private List<IReadOnlyList<RtpCodec>> OthersOffered(MediaKind kind)
    {
        var lists = new List<IReadOnlyList<RtpCodec>>();
        foreach (Participant member in _owner.Room.Participants)
        {
            if (member != _owner)
            {
                lists.Add(member.Negotiation.OfferedCodecs(kind));
            }
        }

        return lists;
    }

    /// <summary>Whether an m-section <paramref name="mid"/> was ever negotiated (sections are never removed, RFC 8829 §5.2.2).</summary>
    public bool HasSection(string mid)
    {
        lock (_gate)
        {
            return _slots.Find(mid) is not null;
        }
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Participant {Id}: m-section {Mid} ({Kind}) rejected: {Reason}")]
    private static partial void LogSectionRejected(ILogger logger, string id, string mid, string kind, string reason);

    /// <summary>Starts a section the participant accepted to receive on; returns its down-track when it starts now.</summary>
    private DownTrack? ApplyAnsweredSection(MediaSlot slot, MediaDescription media)
    {
        if (media.IsRejected)
        {
            slot.Rejected = true;
            slot.DownTrack?.Deactivate();
            return null;
        }

        slot.Rejected = false;
        if (media.Codecs.Count > 0)
        {
            slot.Codecs = [.. media.Codecs];
        }

        slot.Extensions = [.. media.Extensions];
        if (slot.DownTrack is not DownTrack downTrack || downTrack.IsActive)
        {
            return null;
        }

        // Only a codec the participant itself offered to receive, in the publisher's stream
        // format, is sent (a participant whose offers listed no codec of the kind is trusted to
        // answer with what it can receive).
        RtpCodec? codec = SectionPolicy.FindCodecFor(media, downTrack.Source.Codec);
        IReadOnlyList<RtpCodec> offered = _payloadTypes.Offered(slot.Kind);
        if (codec is null || (offered.Count > 0 && !RoomCodecChoice.Lists(offered, codec)))
        {
            LogNoCommonCodec(_logger, _owner.Id, downTrack.Source.Codec.Name, media.Mid!);
            return null;
        }

        downTrack.Activate(
            (byte)codec.PayloadType,
            SectionPolicy.ExtensionMapFor(downTrack.Source.Extensions, media),
            (byte)(media.FindExtension(MediaCapabilities.TransportCcUri)?.Id ?? 0));
        return downTrack;
    }

    /// <param name="extensions">The extensions sent per kind, worked out once per offer (they depend on every section).</param>
    private OfferSection OfferSectionOf(MediaSlot slot, Dictionary<MediaKind, List<HeaderExtension>> extensions)
    {
        if (slot.Rejected && slot.DownTrack is null)
        {
            return new OfferSection(slot.Mid, slot.Kind, MediaDirection.Inactive, slot.Codecs, slot.Extensions, Rejected: true);
        }

        if (slot.Producer is { } producer)
        {
            IReadOnlyList<string>? rids = producer.IsSimulcast ? [.. producer.Layers.Select(l => l.Rid!)] : null;
            return new OfferSection(slot.Mid, slot.Kind, MediaDirection.RecvOnly, slot.Codecs, slot.Extensions, ReceiveRids: rids);
        }

        if (slot.DownTrack is DownTrack downTrack)
        {
            return new OfferSection(
                slot.Mid,
                slot.Kind,
                MediaDirection.SendOnly,
                _payloadTypes.CodecsToSend(downTrack.Source.Codec, slot.Kind),
                ExtensionsToSend(slot.Kind, extensions),
                SendStreamOf(downTrack));
        }

        IReadOnlyList<RtpCodec> codecs = slot.Codecs.Count == 0 ? SectionPolicy.DefaultCodecs(slot.Kind) : slot.Codecs;
        return new OfferSection(slot.Mid, slot.Kind, MediaDirection.Inactive, codecs, slot.Extensions);
    }

    private List<HeaderExtension> ExtensionsToSend(MediaKind kind, Dictionary<MediaKind, List<HeaderExtension>> extensions)
    {
        if (!extensions.TryGetValue(kind, out List<HeaderExtension>? list))
        {
            extensions[kind] = list = SectionPolicy.ExtensionsToSend(_slots.All, kind);
        }

        // Each section gets its own list: the SDP model is mutable.
        return [.. list];
    }

    /// <summary>What one section of the participant's offer starts or stops publishing.</summary>
    private void ApplyOfferedSection(MediaDescription offered, MediaDescription answered, List<Producer> published, List<Producer> unpublished)
    {
        MediaSlot slot = _slots.Find(offered.Mid!)!;
        if (answered.IsRejected)
        {
            slot.Rejected = true;
            if (slot.Producer is Producer gone)
            {
                unpublished.Add(gone);
                slot.Producer = null;
            }

            return;
        }

        slot.Rejected = false;
        slot.Codecs = [.. answered.Codecs];
        slot.Extensions = [.. answered.Extensions];
        if (slot.DownTrack is not null)
        {
            return;
        }

        bool sends = OfferedTracks.Sends(offered) && _owner.Permissions.CanPublish;
        PublishedTrack? track = sends ? OfferedTracks.Read(offered, answered) : null;
        if (slot.Producer is Producer current && !OfferedTracks.SameStreams(current.Track, track))
        {
            unpublished.Add(current);
            slot.Producer = null;
        }

        if (track is not null && slot.Producer is null)
        {
            Producer producer = _owner.CreateProducer(track);
            slot.Producer = producer;
            published.Add(producer);
        }
    }

    private SendStream SendStreamOf(DownTrack downTrack)
        => new(downTrack.Ssrc, null, _owner.Cname, downTrack.Source.StreamId, downTrack.Source.TrackId);
}
