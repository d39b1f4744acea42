namespace Sfu.Host.Meeting;

/// <summary>Settings of the meeting features, bound from <c>Sfu:Meeting</c>.</summary>
public sealed class MeetingOptions
{
    public const string Section = "Sfu:Meeting";

    /// <summary>How long a participant whose signaling dropped keeps its place for Resume.</summary>
    public int ReconnectGraceSeconds { get; set; } = 20;

    /// <summary>How often the dominant speaker is re-evaluated.</summary>
    public int ActiveSpeakerIntervalMilliseconds { get; set; } = 300;

    /// <summary>Chat lines a participant may send at once before the rate below applies.</summary>
    public int ChatBurst { get; set; } = 20;

    /// <summary>Chat lines a second a participant may keep sending.</summary>
    public double ChatMessagesPerSecond { get; set; } = 2;

    public TimeSpan ReconnectGrace => TimeSpan.FromSeconds(ReconnectGraceSeconds);

    public TimeSpan ActiveSpeakerInterval => TimeSpan.FromMilliseconds(ActiveSpeakerIntervalMilliseconds);
}
