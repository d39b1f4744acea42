namespace Sfu.Host.Meeting;

/// <summary>Settings of the meeting features, bound from <c>Sfu:Meeting</c>.</summary>
public sealed class MeetingOptions
{
    public const string Section = "Sfu:Meeting";

    /// <summary>How long a participant whose signaling dropped keeps its place for Resume.</summary>
    public int ReconnectGraceSeconds { get; set; } = 20;

    /// <summary>How often the dominant speaker is re-evaluated.</summary>
    public int ActiveSpeakerIntervalMilliseconds { get; set; } = 300;

    public TimeSpan ReconnectGrace => TimeSpan.FromSeconds(ReconnectGraceSeconds);

    public TimeSpan ActiveSpeakerInterval => TimeSpan.FromMilliseconds(ActiveSpeakerIntervalMilliseconds);
}
