using Sfu.Core.Routing;

namespace Sfu.Host.Access;

/// <summary>
/// Who a Join lets in: the identity (unique in the room), the display name its token sets
/// (null: the one the client asked for), what it may do with media, and whether a token
/// vouched for it.
/// </summary>
public sealed record Admission(string Identity, string? DisplayName, ParticipantPermissions Permissions, bool Authenticated);
