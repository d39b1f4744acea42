namespace Sfu.Core.Routing;

/// <summary>
/// What a participant may do with media, as its signaling granted it: publish tracks to the
/// room, and receive the tracks the others publish.
/// </summary>
public sealed record ParticipantPermissions(bool CanPublish, bool CanSubscribe)
{
    /// <summary>Publish and receive: what every participant may do unless told otherwise.</summary>
    public static ParticipantPermissions All { get; } = new(CanPublish: true, CanSubscribe: true);
}
