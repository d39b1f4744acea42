using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>
/// One m-section of a participant's single peer connection, in SDP order. It carries either
/// a track the participant publishes, a track it receives from the server, or nothing (a
/// section freed by a departed track, kept inactive and recycled: m-sections are never
/// removed, RFC 8829 §5.2.2).
/// </summary>
internal sealed class MediaSlot(string mid, MediaKind kind, bool serverOwned)
{
    public string Mid { get; } = mid;

    public MediaKind Kind { get; } = kind;

    /// <summary>Created by a server offer (sends to the participant) rather than by the participant's offer.</summary>
    public bool ServerOwned { get; } = serverOwned;

    public Producer? Producer { get; set; }

    public DownTrack? DownTrack { get; set; }

    public bool Rejected { get; set; }

    /// <summary>The last negotiated codecs, with the participant's payload types.</summary>
    public IReadOnlyList<RtpCodec> Codecs { get; set; } = [];

    /// <summary>The last negotiated header extensions, with the participant's ids.</summary>
    public IReadOnlyList<HeaderExtension> Extensions { get; set; } = [];

    public bool IsFree => Producer is null && DownTrack is null;
}
