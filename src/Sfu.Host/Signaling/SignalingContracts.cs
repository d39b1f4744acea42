namespace Sfu.Host.Signaling;

/// <summary>A member of a room as other members see it.</summary>
public sealed record ParticipantInfo(string Id, string DisplayName);

/// <summary>
/// A published track. <see cref="StreamId"/> is the a=msid stream id the subscriber sees in
/// the SDP, equal to the publishing participant's id, so a browser groups one participant's
/// audio and video into one MediaStream.
/// </summary>
public sealed record TrackInfo(string ParticipantId, string TrackId, string StreamId, string Kind);

/// <summary>What the caller of Join learns: its own id and who is already in the room.</summary>
public sealed record JoinResult(string ParticipantId, string Room, IReadOnlyList<ParticipantInfo> Participants);
