using Microsoft.Extensions.Logging;
using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>Which codec each answered section keeps, and what a rejected section is logged as.</summary>
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
}
