using Microsoft.Extensions.Logging;
using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>Which codec each answered section keeps, and what a rejected section is logged as.</summary>
internal sealed partial class Negotiator
{
    /// <summary>
    /// Leaves one media codec (and its RTX) in an answered section. A section that carries a
    /// track we forward keeps that track's codec, whatever order the participant's re-offer
    /// lists its codecs in: the answer must describe what we actually send there. Any other
    /// section keeps the participant's first choice.
    /// </summary>
    private void KeepCodecs(MediaDescription answered)
    {
        if (answered.Mid is string mid && _slots.Find(mid) is { DownTrack: DownTrack downTrack } slot && downTrack.Mid == slot.Mid
            && SectionPolicy.KeepCodecFor(answered, downTrack.Source.Codec))
        {
            return;
        }

        SectionPolicy.KeepOnePrimaryCodec(answered);
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
