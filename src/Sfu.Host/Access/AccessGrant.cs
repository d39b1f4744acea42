using Sfu.Core.Routing;

namespace Sfu.Host.Access;

/// <summary>
/// What a valid join token grants: <see cref="Identity"/> (who the participant is, unique in
/// the room), the name others see, the one room it admits to, what it may do with media, and
/// until when it may be used to join.
/// </summary>
public sealed record AccessGrant(string Identity, string? DisplayName, string Room, bool CanPublish, bool CanSubscribe, DateTimeOffset Expires)
{
    public ParticipantPermissions Permissions => new(CanPublish, CanSubscribe);
}
