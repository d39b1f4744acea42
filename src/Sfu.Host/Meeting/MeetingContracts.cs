namespace Sfu.Host.Meeting;

/// <summary>A live room as the lobby lists it; <see cref="Capacity"/> is the most it admits (0: no limit).</summary>
public sealed record RoomSummary(string Name, int Participants, int Capacity);

/// <summary>
/// One line of a room's chat. <see cref="Kind"/> is "message" (someone wrote it) or "notice"
/// (the server's join/leave lines, <see cref="FromId"/> is then the participant concerned).
/// </summary>
public sealed record ChatMessage(string From, string FromId, string Text, DateTimeOffset SentAt, string Kind)
{
    public const string MessageKind = "message";
    public const string NoticeKind = "notice";
}

/// <summary>Whether a participant's microphone, camera and screen share are on.</summary>
public sealed record MediaState(string ParticipantId, bool Mic, bool Camera, bool Screen);

/// <summary>
/// What a participant needs right after Join or Resume: the token that resumes this identity
/// after a dropped connection, the recent chat, everyone's media state and the current
/// dominant speaker.
/// </summary>
public sealed record MeetingSnapshot(
    string ResumeToken,
    IReadOnlyList<ChatMessage> Chat,
    IReadOnlyList<MediaState> MediaStates,
    string? DominantSpeaker);

/// <summary>What Resume returns: who we are again, who is in the room now, and the snapshot.</summary>
public sealed record ResumeResult(string ParticipantId, string Room, IReadOnlyList<Signaling.ParticipantInfo> Participants, MeetingSnapshot Meeting);
