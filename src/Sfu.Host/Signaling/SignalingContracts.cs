using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Turn;

namespace Sfu.Host.Signaling;

/// <summary>A member of a room as other members see it.</summary>
public sealed record ParticipantInfo(string Id, string DisplayName);

/// <summary>
/// A published track. <see cref="StreamId"/> is the a=msid stream id the subscriber sees in
/// the SDP, equal to the publishing participant's id, so a browser groups one participant's
/// audio and video into one MediaStream.
/// </summary>
public sealed record TrackInfo(string ParticipantId, string TrackId, string StreamId, string Kind)
{
    public static TrackInfo Of(Producer producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return new(producer.Owner.Id, producer.TrackId, producer.StreamId, producer.Kind == MediaKind.Audio ? "audio" : "video");
    }
}

/// <summary>
/// What the caller of Join learns: its own id, who is already in the room, the name the others
/// see (normalized, or the one its token sets), what it may do with media, and the TURN
/// servers (with fresh credentials) it may relay through when nothing else reaches us.
/// </summary>
public sealed record JoinResult(
    string ParticipantId,
    string Room,
    IReadOnlyList<ParticipantInfo> Participants,
    string DisplayName,
    bool CanPublish,
    bool CanSubscribe,
    IReadOnlyList<IceServerInfo> IceServers);
